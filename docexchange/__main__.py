import sys

from docexchange.cli.main import main

sys.exit(main())
