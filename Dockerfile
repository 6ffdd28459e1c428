# One image for every service of the assistant; docker-compose.yml picks the command per service.
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app

COPY requirements.lock requirements-nodeps.in ./
COPY scripts/pip_check.py scripts/
RUN pip install --no-cache-dir "$(grep '^pip==' requirements.lock)" \
 && pip install --no-cache-dir --no-deps -r requirements.lock \
 && python scripts/pip_check.py requirements-nodeps.in

COPY . .
# The model is trained into the image, so every replica answers the same way.
RUN python -m bot.tools.faq_to_rasa \
 && python -m bot.tools.sentences_to_rasa \
 && rasa train --data nlu_data --domain domain.yml --config config.yml --out models --fixed-model-name assistant

RUN useradd --create-home --uid 10001 city && mkdir -p /app/var && chown -R city /app/var
USER city
EXPOSE 5005 5055 5080
