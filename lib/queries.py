"""Small helpers for reading rows (issue 20: pages drawn fast without a cache)."""


def only_row(queryset):
    """The row a unique condition selects (a link by its token's hash, her one current programme
    or strength plan, her one live link), or None. first() without its ORDER BY: for such a query
    it orders nothing, and compiling it cost more than running the query."""
    return next(iter(queryset.order_by()[:1]), None)
