#!/usr/bin/env python
"""Django's manage.py; the ``fazhi`` console command does the same."""

from fazhi.__main__ import main

if __name__ == "__main__":
    main()
