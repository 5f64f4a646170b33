"""Times TA-Lib and pandas on the same synthetic panel as `wickview bench compute`.

    wickview bench compute --write-panel panel-dir      # 500 x 6,300 by default
    python benches/talib_pandas_compare.py panel-dir [--repeat 5]

Needs `pip install TA-Lib pandas` (the TA-Lib wheels bundle the C library). Prints one row per
indicator: the median wall time of one run over the whole panel, in milliseconds.

- TA-Lib: one call per series (TA-Lib works on one array at a time), single-threaded, the
  indicator with the parameters wickview's rows use.
- pandas: the panel as one DataFrame (days x series), each indicator computed for all series
  at once with vectorised rolling/ewm operations. pandas has no TA-Lib seeding, so its RSI,
  MACD and ATR start differently (ewm from the first value); the work per value is the same.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import talib


def load(dir_):
    meta = json.loads((dir_ / "panel.json").read_text())
    s, d = meta["series"], meta["days"]
    cols = {k: np.fromfile(dir_ / f"{k}.f64", dtype="<f8").reshape(s, d)
            for k in ("high", "low", "close", "volume")}
    return s, d, cols


def timed(repeat, f):
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


RIBBON = (10, 20, 30, 40, 50, 60)


def talib_cases(c):
    h, l, cl, v = c["high"], c["low"], c["close"], c["volume"]
    n = cl.shape[0]
    return {
        "bollinger 20,2": lambda: [talib.BBANDS(cl[i], 20, 2.0, 2.0, 0) for i in range(n)],
        "rsi 14": lambda: [talib.RSI(cl[i], 14) for i in range(n)],
        "macd 12,26,9": lambda: [talib.MACD(cl[i], 12, 26, 9) for i in range(n)],
        "stochastic 14,3,3": lambda: [talib.STOCH(h[i], l[i], cl[i], 14, 3, 0, 3, 0) for i in range(n)],
        "atr 14": lambda: [talib.ATR(h[i], l[i], cl[i], 14) for i in range(n)],
        "ema ribbon 10..60 (6 lines)": lambda: [talib.EMA(cl[i], p) for i in range(n) for p in RIBBON],
        "obv": lambda: [talib.OBV(cl[i], v[i]) for i in range(n)],
        "roc 10": lambda: [talib.ROC(cl[i], 10) for i in range(n)],
    }


def pandas_cases(c):
    h, l, cl, v = (pd.DataFrame(c[k].T) for k in ("high", "low", "close", "volume"))

    def bb():
        m = cl.rolling(20).mean()
        sd = cl.rolling(20).std(ddof=0)
        return m + 2 * sd, m, m - 2 * sd

    def rsi():
        d = cl.diff()
        g = d.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
        lo = (-d).clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
        return 100 * g / (g + lo)

    def macd():
        m = cl.ewm(span=12, adjust=False).mean() - cl.ewm(span=26, adjust=False).mean()
        s = m.ewm(span=9, adjust=False).mean()
        return m, s, m - s

    def stoch():
        lo, hi = l.rolling(14).min(), h.rolling(14).max()
        k = (100 * (cl - lo) / (hi - lo)).rolling(3).mean()
        return k, k.rolling(3).mean()

    def atr():
        pc = cl.shift(1)
        tr = np.maximum(h - l, np.maximum((h - pc).abs(), (l - pc).abs()))
        return tr.ewm(alpha=1 / 14, adjust=False).mean()

    return {
        "bollinger 20,2": bb,
        "rsi 14": rsi,
        "macd 12,26,9": macd,
        "stochastic 14,3,3": stoch,
        "atr 14": atr,
        "ema ribbon 10..60 (6 lines)": lambda: [cl.ewm(span=p, adjust=False).mean() for p in RIBBON],
        "obv": lambda: (np.sign(cl.diff()).fillna(0) * v).cumsum(),
        "roc 10": lambda: cl.pct_change(10) * 100,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("panel", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    s, d, cols = load(args.panel)
    print(f"# {s} series x {d} days; TA-Lib {talib.__version__} (C {talib.__ta_version__.decode()}),"
          f" pandas {pd.__version__}, numpy {np.__version__}; median of {args.repeat} runs, ms")
    print(f"{'indicator':<30} {'TA-Lib':>10} {'pandas':>10}")
    ta, pdc = talib_cases(cols), pandas_cases(cols)
    for name in ta:
        print(f"{name:<30} {timed(args.repeat, ta[name]):>10.1f} {timed(args.repeat, pdc[name]):>10.1f}",
              flush=True)


if __name__ == "__main__":
    main()
