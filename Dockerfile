# Sequence Lab, hosted demo: CPU-only, hosted-mode limits on (see playground/hosted.py).
#   docker build -t sequence-lab . && docker run --rm -p 8501:8501 sequence-lab
# Hugging Face Spaces (Docker SDK) builds this file as it is; the app listens on 8501 (app_port).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SEQUENCE_LAB_HOSTED=1 \
    SEQUENCE_LAB_CACHE=/tmp/sequence-lab \
    HOME=/home/user

# Spaces run the container as uid 1000: give that user a home and the app directory.
RUN useradd --create-home --uid 1000 user
WORKDIR /app

# 1. CPU-only PyTorch from PyTorch's CPU index (about 200 MB; PyPI's Linux wheel pulls in the CUDA
#    libraries, gigabytes that a CPU box never uses). 2.13.0+cpu satisfies requirements.txt's
#    torch==2.13.0, so the next step keeps it.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# 2. The rest of the runtime. The offline data files are part of the repository (core/data/).
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=user . .
USER user

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["streamlit", "run", "streamlit_app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
