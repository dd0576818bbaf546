# A small image that serves the lab on port 8501.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# One BLAS thread per process: many sessions share the cores, and threaded BLAS on small matrices oversubscribes them.
ENV OPENBLAS_NUM_THREADS=1
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"
# ui.launch: the process settings and server guards, then `streamlit run app.py`
CMD ["python", "-m", "ui.launch", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
