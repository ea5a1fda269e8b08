# gunicorn reads this file from the directory it starts in (the Dockerfile's and the README's
# commands both start in the project folder): its logs redact private and reset links.
logger_class = "config.gunicorn_logging.RedactingLogger"
