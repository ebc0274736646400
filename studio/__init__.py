"""Dress Studio: design a fabric by style transfer, fit it to a shopper's photo, try it on, rate it."""

__version__ = "0.1.0"
