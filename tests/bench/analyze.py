"""Weighted safety-survey indicators with pandas: the comparison `trygg bench` times
against `trygg analyze` on the same responses.

    python3 tests/bench/analyze.py responses.csv surveys/trygghet-2026.toml surveys/population out.csv

Input: the CSV `trygg bench` exports (district, year, sex, age_group, then one column per
share indicator holding the answer's option code; "don't know" and no answer are empty).

Computed, as in trygg (METHODOLOGY §1–§3):
- raking weights per wave (district × year) to the population's sex and age margins
  (iterative proportional fitting, 50 rounds at most);
- for every share indicator, in every district and in all districts together, every year,
  for everyone, each sex and each age group: the weighted share, n, the effective n, the
  linearised standard error and the 95 % logit interval;
- the change from the previous year with its z-test p-value.

Not computed, so the comparison favours pandas: trimming of weights, design weights of
sampled waves, collapsing of empty age groups, the stratified municipality variance, index
levels, measures (difference-in-differences), Benjamini–Hochberg q-values and suppression.
"""

import math
import sys
import time
import tomllib

import numpy as np
import pandas as pd


def rake(sex, age, margins, rounds=50):
    """IPF weights for one wave from integer category codes (-1: unknown); respondents
    without a sex or age keep their current weight in that dimension."""
    n = len(sex)
    w = np.full(n, sum(margins[0].values()) / max(n, 1))
    for _ in range(rounds):
        before = w.copy()
        for codes, target in ((sex, margins[0]), (age, margins[1])):
            totals = np.bincount(codes[codes >= 0], weights=w[codes >= 0], minlength=len(target) + 1)
            factor = np.ones(len(totals) + 1)
            for cat, count in target.items():
                if totals[cat] > 0:
                    factor[cat] = count / totals[cat]
            w *= np.where(codes >= 0, factor[codes], 1.0)
        if np.abs(w - before).max() < 1e-9 * w.max():
            break
    return w


def main(csv, questionnaire, population_dir, out):
    started = time.perf_counter()
    with open(questionnaire, "rb") as f:
        q = tomllib.load(f)
    indicators = {
        x["code"]: set(x["indicator"]["counts"])
        for x in q["questions"]
        if "indicator" in x and x.get("type") != "multi"
    }
    df = pd.read_csv(
        csv,
        dtype={c: "category" for c in ["district", "sex", "age_group", *indicators]} | {"year": "int32"},
        keep_default_na=False,
    )
    districts = list(df["district"].cat.categories)
    d_code = df["district"].cat.codes.to_numpy()
    year = df["year"].to_numpy()
    sexes = [c for c in df["sex"].cat.categories if c != ""]
    ages = [c for c in df["age_group"].cat.categories if c != ""]
    sex = df["sex"].cat.set_categories(sexes).cat.codes.to_numpy()
    age = df["age_group"].cat.set_categories(ages).cat.codes.to_numpy()

    # Weights, wave by wave.
    w = np.ones(len(df))
    populations = {}
    for (district, yr), idx in df.groupby(["district", "year"], observed=True).indices.items():
        if yr not in populations:
            populations[yr] = pd.read_csv(f"{population_dir}/{yr}.csv", comment="#")
        pop = populations[yr]
        pop = pop[pop["district"] == district]
        margins = []
        for dim, cats in (("sex", sexes), ("age_group", ages)):
            m = pop[pop["dimension"] == dim]
            margins.append({cats.index(c): float(v) for c, v in zip(m["category"], m["count"]) if c in cats})
        w[idx] = rake(sex[idx], age[idx], margins)

    # One key per district and year (and per year for all districts together); groups are
    # a further key (the sex or age code), so one bincount sums every cell of a grouping.
    years = np.unique(year)
    y_code = np.searchsorted(years, year)
    key = d_code * len(years) + y_code
    names = ["n", "w", "wy", "w2", "w2y"]
    place = {
        "d": (key, pd.MultiIndex.from_product([districts, years], names=["district", "year"])),
        "all": (y_code, pd.MultiIndex.from_product([["ALL"], years], names=["district", "year"])),
    }
    groupings = [("all", None, [None]), ("sex", sex, sexes), ("age_group", age, ages)]
    rows = []
    for code, counts in indicators.items():
        cats = list(df[code].cat.categories)
        a = df[code].cat.codes.to_numpy()
        valid = np.array([c != "" for c in cats])[a]
        y = np.array([c in counts for c in cats])[a][valid].astype(float)
        wv = w[valid]
        for kind, codes, labels in groupings:
            g = np.zeros(valid.sum(), dtype=np.int64) if codes is None else codes[valid].astype(np.int64)
            known = g >= 0
            frames = []
            kk = (key[valid][known] * len(labels) + g[known]).astype(np.int64)
            size = len(districts) * len(years) * len(labels)
            ww, yy = wv[known], y[known]
            by_district = [
                np.bincount(kk, minlength=size).astype(float),
                np.bincount(kk, weights=ww, minlength=size),
                np.bincount(kk, weights=ww * yy, minlength=size),
                np.bincount(kk, weights=ww * ww, minlength=size),
                np.bincount(kk, weights=ww * ww * yy, minlength=size),
            ]
            # All districts together: the districts' sums added up.
            everywhere = [v.reshape(len(districts), -1).sum(axis=0) for v in by_district]
            for sums, (_, index) in ((by_district, place["d"]), (everywhere, place["all"])):
                for j, label in enumerate(labels):
                    f = pd.DataFrame({n: v[j :: len(labels)] for n, v in zip(names, sums)}, index=index)
                    f["group"] = "all" if label is None else f"{kind}:{label}"
                    frames.append(f)
            s = pd.concat(frames)
            s = s[s["n"] > 1]
            p = s["wy"] / s["w"]
            var = s["n"] / (s["n"] - 1) * (s["w2y"] - 2 * p * s["w2y"] + p * p * s["w2"]) / (s["w"] ** 2)
            se = np.sqrt(var)
            with np.errstate(divide="ignore", invalid="ignore"):
                logit = np.log(p / (1 - p))
                half = 1.96 * se / (p * (1 - p))
            r = pd.DataFrame(
                {
                    "indicator": code,
                    "group": s["group"],
                    "n": s["n"],
                    "n_eff": s["w"] ** 2 / s["w2"],
                    "estimate": p,
                    "se": se,
                    "ci_low": 1 / (1 + np.exp(-(logit - half))),
                    "ci_high": 1 / (1 + np.exp(-(logit + half))),
                }
            ).reset_index()
            prev = r.groupby(["district", "group"])[["year", "estimate", "se"]].shift(1)
            # Only the survey year just before counts as "previous" (not an older one left
            # after a gap).
            follows = prev["year"] == pd.Series(np.searchsorted(years, r["year"]) - 1).map(
                lambda i: years[i] if i >= 0 else -1
            )
            prev.loc[~follows, ["estimate", "se"]] = np.nan
            r["diff_prev"] = r["estimate"] - prev["estimate"]
            z = (r["diff_prev"] / np.sqrt(r["se"] ** 2 + prev["se"] ** 2)).to_numpy()
            r["p_prev"] = np.array([math.erfc(abs(v) / math.sqrt(2)) if v == v else np.nan for v in z])
            rows.append(r)
    result = pd.concat(rows, ignore_index=True)
    result.to_csv(out, index=False)
    print(f"{len(result)} result rows in {time.perf_counter() - started:.2f} s (inside Python)")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
