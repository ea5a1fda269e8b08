import logging
import re

PRIVATE_LINK = re.compile(r"/p/[^/\s]+")


class RedactPrivateLinks(logging.Filter):
    """Only a hash of each private link is stored; the logs must not keep the link either."""

    def filter(self, record):
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(PRIVATE_LINK.sub("/p/[redacted]", a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = PRIVATE_LINK.sub("/p/[redacted]", record.msg)
        return True
