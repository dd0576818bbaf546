"""Name lookup shared by every registry family (activations, losses, optimizers, ...).

A family is a dict ``{name: factory}``; pages build menus from its keys, and a typo
gets an error that lists what would have worked.
"""


def lookup(registry: dict, name, family: str):
    """Return ``registry[name]``; unknown name -> ValueError listing the valid names.

    >>> lookup({"relu": 1}, "relu", "activation")
    1
    """
    try:
        return registry[name]
    except (KeyError, TypeError):  # TypeError: unhashable names such as lists
        valid = ", ".join(registry)
        raise ValueError(f"unknown {family} {name!r}; valid: {valid}") from None


def with_defaults(defaults_by_name: dict, name, family: str, hp: dict, also: tuple = ()) -> dict:
    """``defaults_by_name[name]`` updated by ``hp``; an unknown name or hyperparameter raises ValueError.

    ``also`` names keyword arguments the caller accepts besides the defaults (listed in the message).
    """
    defaults = lookup(defaults_by_name, name, family)
    unknown = sorted(set(hp) - set(defaults))
    if unknown:
        raise ValueError(f"unknown hyperparameter(s) {', '.join(unknown)} for {family} {name!r}; "
                         f"valid: {', '.join([*defaults, *also])}")
    return {**defaults, **hp}
