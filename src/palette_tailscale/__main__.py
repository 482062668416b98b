"""``python -m palette_tailscale``."""

from .cli.main import main

raise SystemExit(main())
