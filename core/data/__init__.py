"""Data files committed with the project, so every task has an offline default (see README.md here)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
