"""PromQL the dashboards share: selectors built from the template variables, and the cause as a number."""

import config


def selector(metric, matchers, *extra):
    """`metric{m1, m2, ...}` from lists of label matchers."""
    return metric + "{" + ", ".join(list(matchers) + list(extra)) + "}"


def by(labels):
    return ", ".join(labels)


PORT_KEY = by(config.HOST_LABELS + config.PORT_LABELS)


def _cause(word):
    return f'cause="{word}"'


def cause_code(matchers):
    """One series per port whose value is the code of its current cause (config.CAUSES).

    port_diagnosis has exactly one series per port (the current cause, value 1); a cause word this
    version does not know is shown as unknown, never dropped.
    """
    known = [c for c in config.CAUSES if c.word != "unknown"]
    unknown = next(c for c in config.CAUSES if c.word == "unknown")
    branches = [f"{selector('port_diagnosis', matchers, _cause(c.word))} * {c.code}" for c in known]
    not_known = 'cause!~"' + "|".join(c.word for c in known) + '"'
    branches.append(f"{selector('port_diagnosis', matchers, not_known)} * {unknown.code}")
    return "max without (cause) (\n    " + "\n  or\n    ".join(branches) + "\n)"


def cause_since(matchers):
    """Seconds since each port's current cause began: the last time its port_diagnosis series
    (re)appeared within config.CHANGE_WINDOW; the window itself when it held for all of it; 0 when
    it appeared so recently that the subquery has not sampled it yet."""
    d = selector("port_diagnosis", matchers)
    step = config.CHANGE_STEP
    window = config.CHANGE_WINDOW
    return (
        f"  time() - max_over_time(timestamp({d} unless {d} offset {step})[{window}:{step}]) and {d}\n"
        f"or\n"
        f"  {d} * {config.CHANGE_WINDOW_SECONDS} and {d} offset {window}\n"
        f"or\n"
        f"  {d} * 0"
    )


def count_or_zero(expr, population):
    """count(expr), or 0 while `population` has series (so the panel says 0, not "No data",
    when nothing matches, and still says "No data" when the series are missing)."""
    return f"count({expr}) or count({population}) * 0"
