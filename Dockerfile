# qa_assist service image: models are prepared at build time, so the container needs no
# network at run time. Build: docker build -t qa-assist .   Run: docker run -p 8000:8000 qa-assist
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ffmpeg espeak-ng sox libsndfile1 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# torch first and pinned. Put the CPU wheel (torch-2.13.0+cpu-*.whl) in ./wheels to keep the
# image small; without it pip takes PyPI's default build of 2.13.0, which carries CUDA (GBs).
COPY wheels/ /wheels/
RUN pip install --no-cache-dir --find-links /wheels torch==2.13.0
COPY pyproject.toml README.md ./
COPY qa_assist ./qa_assist
COPY prompts ./prompts
RUN pip install --no-cache-dir .

ENV QA_ASSIST_DATA_DIR=/data \
    QA_ASSIST_MODELS_DIR=/models \
    QA_ASSIST_HOST=0.0.0.0 \
    QA_ASSIST_PORT=8000 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
RUN qa-assist models prepare

VOLUME ["/data"]
EXPOSE 8000
CMD ["qa-assist", "serve"]
