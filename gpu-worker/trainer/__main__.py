"""Lets ``python -m trainer`` run the trainer, the way the cluster and the handler start it."""

import sys

from trainer.cancel import CancelToken
from trainer.threads import configure_before_torch

# Both before torch loads (about a second): a SIGTERM during the import is then a clean
# cancellation, and BLAS reads its thread count once, when it loads.
cancel = CancelToken().install()
configure_before_torch()

from trainer.main import main  # noqa: E402

sys.exit(main(sys.argv[1:], cancel))
