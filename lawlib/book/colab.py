"""The one-line Colab install at the top of every chapter (it runs only on Colab).

The cell cannot import lawlib (on Colab lawlib is what it installs), so it is
text: :func:`install_cell` writes it for a repository, and a test keeps every
chapter's cell equal to it for the repository of ``book/_config.yml``.
"""

from __future__ import annotations


def install_cell(repository: str) -> str:
    """The Colab install cell for `repository` (an ``https://github.com/...`` URL).

    Parameters
    ----------
    repository : str

    Returns
    -------
    str
        Two lines: a test for Colab, and pip installing ``scaling-lawlib`` from
        the repository.

    Examples
    --------
    >>> print(install_cell("https://github.com/lawlib/scaling-laws-book"))
    if "google.colab" in str(get_ipython()):  # Colab only: install lawlib
        %pip install -q "scaling-lawlib @ git+https://github.com/lawlib/scaling-laws-book"
    """
    return (
        'if "google.colab" in str(get_ipython()):  # Colab only: install lawlib\n'
        f'    %pip install -q "scaling-lawlib @ git+{repository}"'
    )
