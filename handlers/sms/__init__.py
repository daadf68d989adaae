"""Twilio SMS and WhatsApp: one provider, two channel names."""

from handlers.sms.channel import TwilioChannel
from handlers.sms.parse import BadPayload, parse_twilio

__all__ = ["BadPayload", "TwilioChannel", "parse_twilio"]
