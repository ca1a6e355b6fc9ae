"""Course: the concepts of the notes in order, each with a prediction and the experiment that checks it."""

from playground.course.page import course_page

course_page()
