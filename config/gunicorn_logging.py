"""gunicorn's access and error logs, with the same redaction as the app's own logs."""

from gunicorn.glogging import Logger

from config.logging import RedactPrivateLinks, redact


class RedactingLogger(Logger):
    """The access log formats the request line, path, referer and headers itself, outside
    Django's logging: redact every atom before it is formatted."""

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()}

    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request /p/…" and the like go through the error log.
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactPrivateLinks())
