#!/bin/sh
# test_stats.sh - `fxaudit stats` and `fxaudit smfa score` against values
# published by R (R's own depression example, domain.md), hand calculations,
# and R 4.2.2 output quoted beside each check (the R call is in the comment).
. "$FX_SRCDIR/tests/cli/tap.sh"
FIX="$FX_SRCDIR/tests/fixtures"

# R's example data (Hollander & Wolfe 1973, p. 29), as in ?wilcox.test
cat >"$TMP/dep.csv" <<'CSV'
x,y
1.83,0.878
0.50,0.647
1.62,0.598
2.48,2.05
1.68,1.06
1.88,1.29
1.55,1.06
3.06,3.14
1.30,1.29
CSV
W="$FXAUDIT stats wilcoxon $TMP/dep.csv --x x --y y --json"
is "depression: V = 40" "$($W | json_get .statistic)" "40"
is "depression: exact two-sided p = 0.0390625" "$($W | json_get .p)" "0.0390625"
is "depression: names the exact test as R does" "$($W | json_get .method)" \
    "Wilcoxon signed rank exact test"
is "depression --asymptotic --no-correct: p = 0.0381517101734152" \
    "$($W --asymptotic --no-correct | json_get .p)" "0.0381517101734152"
is "depression --asymptotic: continuity-corrected p = 0.0440109840129515" \
    "$($W --asymptotic | json_get .p)" "0.0440109840129515"
is "depression --asymptotic names the continuity correction" \
    "$($W --asymptotic | json_get .method)" "Wilcoxon signed rank test with continuity correction"
# R: wilcox.test(x, y, paired = TRUE, conf.int = TRUE): 0.010 to 0.786, estimate 0.460
is "depression: Hodges-Lehmann estimate and exact CI as R" \
    "$($W --conf-int | jq -r '[.estimate, .conf_int[0], .conf_int[1]] | map(. * 1e6 | round) | join(" ")')" \
    "460000 10000 786000"
$FXAUDIT stats wilcoxon "$TMP/dep.csv" --x x --y y >"$TMP/text" 2>&1
ok_if "text output names the method like R" grep -q "Wilcoxon signed rank exact test" "$TMP/text"

# Ten all-positive distinct differences 1..10: SPSS z = -2.803, p = 0.00506
# (by hand: W- = 0, mean 27.5, sd sqrt(96.25), z = -27.5 / 9.8107)
printf 'pre,post\n' >"$TMP/gap.csv"
for d in 1 2 3 4 5 6 7 8 9 10; do printf '%s,20\n' $((20 + d)) >>"$TMP/gap.csv"; done
S="$FXAUDIT stats wilcoxon $TMP/gap.csv --x pre --y post --json"
is "--spss: p = 0.00506" "$($S --spss | jq -r '.p * 1e5 | round')" "506"
is "--spss: z = -2.803 from min(W+, W-)" "$($S --spss | jq -r '.z * 1e3 | round')" "-2803"
is "the same data, R's default exact test: p = 2/1024" "$($S | json_get .p)" "0.001953125"
is "--spss together with --exact is a usage error" "$(status_of $S --spss --exact)" 2

# Quartiles (domain.md): type 6 2.75 / 7.5 / 10.5, type 7 3.25 / 7.5 / 9.75
printf 'v\n1\n2\n3\n4\n7\n8\n9\n10\n12\n15\n' >"$TMP/q.csv"
D="$FXAUDIT stats describe $TMP/q.csv --col v --json"
is "describe: type 6 (default) quartiles" "$($D | jq -r '[.q1, .median, .q3] | join(" ")')" \
    "2.75 7.5 10.5"
is "describe: type 7 quartiles" \
    "$($D --quantile-type 7 | jq -r '[.q1, .median, .q3] | join(" ")')" "3.25 7.5 9.75"
is "describe: n, min, max" "$($D | jq -r '[.n, .min, .max] | join(" ")')" "10 1 15"
is "describe: --quantile-type 5 is a usage error" "$(status_of $D --quantile-type 5)" 2

# Spearman. R: cor.test(x, y, method = "spearman") on these 11 pairs gives
# rho = 0.6727272727272727, S = 72, p = 0.0280703042358757 (Edgeworth, AS 89)
cat >"$TMP/sp.csv" <<'CSV'
x,y
3,2.7
1,1.8
4,2.8
1.5,1.9
9,8.4
2.6,5.9
5.3,0.4
5.8,5.2
9.7,8.8
7.9,9.1
3.2,3.3
CSV
SP="$FXAUDIT stats spearman $TMP/sp.csv --x x --y y --json"
is "spearman: rho, S and p as R" \
    "$($SP | jq -r '[.rho, .statistic, .p] | map(. * 1e12 | round) | join(" ")')" \
    "672727272727 72000000000000 28070304236"

# Friedman. R: friedman.test(m) with columns pre, m3, y1 below gives chi-squared
# 16, p = 0.000335462627902512; pairwise.wilcox.test(paired = TRUE,
# p.adjust.method = "holm") gives 0.0410300606964814 for every pair.
cat >"$TMP/fr.csv" <<'CSV'
pre,m3,y1
7,29,9
2,22,5
9,35,27
5,30,12
3,25,6
8,33,20
4,20,5
6,28,15
CSV
FR="$FXAUDIT stats friedman $TMP/fr.csv --cols pre,m3,y1 --json"
is "friedman: chi-squared and p as R" "$($FR | jq -r '[.statistic, .p] | join(" ")')" \
    "16 0.000335462627902512"
is "friedman: Holm-adjusted post-hoc p as R" \
    "$($FR | jq -r '[.post_hoc[].p_holm * 1e12 | round] | join(" ")')" \
    "41030060696 41030060696 41030060696"
is "friedman: two columns are a usage error" \
    "$(status_of $FXAUDIT stats friedman "$TMP/fr.csv" --cols pre,m3)" 2

# Mann-Whitney. R: wilcox.test(c(1.2, 3.4, 2.2, 5.1, 4.4), c(2.9, 6.1, 5.5, 7.2,
# 3.9, 6.6), conf.int = TRUE): W = 5, p = 0.0822510822510823, estimate -2.1
printf 'value,plate\n1.2,a\n3.4,a\n2.2,a\n5.1,a\n4.4,a\n2.9,b\n6.1,b\n5.5,b\n7.2,b\n3.9,b\n6.6,b\n' \
    >"$TMP/mw.csv"
MW="$FXAUDIT stats mann-whitney $TMP/mw.csv --col value --by plate --json"
is "mann-whitney: W, p and estimate as R" \
    "$($MW | jq -r '[.statistic, .p, .estimate] | map(. * 1e12 | round) | join(" ")')" \
    "5000000000000 82251082251 -2100000000000"
is "mann-whitney: names the exact test" "$($MW | json_get .method)" "Wilcoxon rank sum exact test"

# Edge cases: a clear error that says why
printf 'x,y\n1,1\n2,2\n3,3\n' >"$TMP/same.csv"
$FXAUDIT stats wilcoxon "$TMP/same.csv" --x x --y y >"$TMP/out" 2>&1
is "all differences zero: exit 1" "$?" 1
ok_if "all differences zero: says so" grep -q "all 3 differences are zero" "$TMP/out"
printf 'x,y\n1,5\n2,5\n3,5\n' >"$TMP/const.csv"
$FXAUDIT stats spearman "$TMP/const.csv" --x x --y y >"$TMP/out" 2>&1
ok_if "spearman on a constant column: says rho is undefined" grep -q "constant" "$TMP/out"
printf 'x,y\n2,1\n' >"$TMP/one.csv"
is "one pair: exact p = 1 as R" "$($FXAUDIT stats wilcoxon "$TMP/one.csv" --x x --y y --json |
    json_get .p)" "1"
printf 'x,y\n,1\n2,\n' >"$TMP/none.csv"
$FXAUDIT stats wilcoxon "$TMP/none.csv" --x x --y y >"$TMP/out" 2>&1
ok_if "no complete pair: says so" grep -q "no complete pairs" "$TMP/out"
$FXAUDIT stats wilcoxon "$TMP/dep.csv" --x x --y z >"$TMP/out" 2>&1
is "a missing column: exit 1" "$?" 1
ok_if "a missing column: names the file and the column" \
    grep -q "dep.csv' has no column 'z'" "$TMP/out"
printf 'x,y\n1,2\n3,abc\n' >"$TMP/nan.csv"
$FXAUDIT stats wilcoxon "$TMP/nan.csv" --x x --y y >"$TMP/out" 2>&1
ok_if "a non-number: names file, line and column" \
    grep -q "nan.csv' line 3, column 'y': 'abc' is not a number" "$TMP/out"

# SMFA, by hand: all 1 -> 0; all 5 -> 100; items 1-34 = 2 and 35-46 = 3 -> 25
# and 50; 17/34 answered with 3 -> 50 and 6/12 with 5 -> 100; 16/34 and 5/12
# answered -> not scored under the at-least-half rule.
SM="$FXAUDIT smfa score $FIX/smfa/forms.csv --json"
is "smfa: function index per form" \
    "$($SM | jq -r '[.forms[].function_index] | map(tostring) | join(" ")')" "0 100 25 50 null"
is "smfa: bother index per form" \
    "$($SM | jq -r '[.forms[].bother_index] | map(tostring) | join(" ")')" "0 100 50 100 null"
is "smfa: reports the items used" \
    "$($SM | jq -r '[.forms[].function_items_answered] | join(" ")')" "34 34 34 17 16"
is "smfa: --min-answered 100 scores complete scales only" \
    "$($SM --min-answered 100 | jq -r '[.forms[].function_index] | map(tostring) | join(" ")')" \
    "0 100 25 null null"
is "smfa: ids from the id column" "$($SM | jq -r '.forms[2].id')" "mixed"
K="$FIX/smfa/test-key-not-clinical.txt"
is "smfa: subscales from a key file" \
    "$($SM --key "$K" | jq -r '[.forms[] | .subscales.first_five.score, .subscales.odd_bother.score] | map(tostring) | join(" ")')" \
    "0 0 100 100 25 50 50 100 75 25"
$FXAUDIT smfa score "$FIX/smfa/bad_answer.csv" >"$TMP/out" 2>&1
is "smfa: an answer of 7 fails" "$?" 1
ok_if "smfa: the error names file, line and item" \
    grep -q "bad_answer.csv' line 4, item 17: answer '7'" "$TMP/out"
printf 'fxaudit-smfa-key 1\nscale: 1-47\n' >"$TMP/badkey.txt"
$FXAUDIT smfa score "$FIX/smfa/forms.csv" --key "$TMP/badkey.txt" >"$TMP/out" 2>&1
ok_if "smfa: a key naming item 47 fails with file and line" grep -q "badkey.txt' line 2" "$TMP/out"
done_testing
