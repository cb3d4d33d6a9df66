"""Comptoir's shared domain: models, services and the adapters to AWS.

Installed as a Lambda layer in AWS and as a package locally. Nothing here imports a function.
"""
