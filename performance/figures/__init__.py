"""The figures: a service's summary for a window, the roll-ups that keep it, the dashboard's
tiles and pages, and the portfolio's totals."""
