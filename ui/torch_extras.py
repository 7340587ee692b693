"""torch compositions of the losses torch lacks; filled from tests/backend/torch_extras.py."""
