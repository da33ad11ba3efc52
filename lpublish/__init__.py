"""lpublish: self-service publishing for marketing sites.

The package is a plain-Python core (config, assets, site, publish, deploy, sandbox) with three thin
front ends (cli, tui, and the CI commands inside cli). Core modules never import textual, click or rich;
``tests/test_architecture.py`` enforces it.
"""

__version__ = "0.1.0"
