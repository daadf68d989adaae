"""The web channel: a plain HTML report form at /report and a private status page per reporter."""

from handlers.web.channel import WebChannel
from handlers.web.parse import BadForm, ReportForm, parse_form

__all__ = ["BadForm", "ReportForm", "WebChannel", "parse_form"]
