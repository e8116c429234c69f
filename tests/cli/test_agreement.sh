#!/bin/sh
# test_agreement.sh - `fxaudit stats icc` and `fxaudit stats bland-altman`
# against R: the expected numbers are tests/fixtures/r-psych/reference.txt,
# written by make_reference.R (psych::ICC and base R) beside the data sets.
# JSON keeps 15 significant digits, so values must agree to 1e-10 relative.
. "$FX_SRCDIR/tests/cli/tap.sh"
R="$FX_SRCDIR/tests/fixtures/r-psych"

# close GOT WANT: relative difference within 1e-10 (absolute for |want| < 1e-3)
close() {
    awk -v g="$1" -v w="$2" 'BEGIN { d = g - w; if (d < 0) d = -d;
        s = w < 0 ? -w : w; if (s < 1e-3) s = 1e-3; exit !(g != "" && d <= 1e-10 * s) }'
}

# ref KIND SET COLS [TYPE] -> the reference line's numbers
ref() {
    if [ "$1" = icc ]; then
        awk -v s="$2" -v c="$3" -v t="$4" '$1 == "icc" && $2 == s && $3 == c && $4 == t' "$R/reference.txt"
    else
        awk -v s="$2" -v c="$3" '$1 == "ba" && $2 == s && $3 == c' "$R/reference.txt"
    fi
}

check_icc() { # SET COLS
    out=$($FXAUDIT stats icc "$R/$1.csv" --cols "$2" --json)
    what="stats icc on $1 ($2) equals psych::ICC's ICC2: n, dropped, icc, F, df, p, CI"
    set -- $(ref icc "$1" "$2" ICC2)
    got=$(echo "$out" | jq -r '[.n, .dropped, .icc, .f, .df1, .df2, .p, .conf_int[0], .conf_int[1]] | @tsv')
    ok=yes
    i=0
    shift 4
    for w in "$@"; do
        i=$((i + 1))
        g=$(echo "$got" | cut -f$i)
        close "$g" "$w" || { ok=no; echo "# field $i: got $g, R $w"; }
    done
    is "$what" "$ok" yes
}

check_icc sf1979 J1,J2,J3,J4
check_icc two_raters obs1,obs2
check_icc three_raters a,b,c
check_icc missing o1,o2,o3
check_icc repeats A_rep1,A_rep2
check_icc disagree x,y
check_icc five_raters V1,V2,V3,V4,V5

out=$($FXAUDIT stats icc "$R/sf1979.csv" --cols J1,J2,J3,J4 --json)
is "shrout & fleiss 1979: ICC(2,1) rounds to the published 0.29" \
    "$(echo "$out" | jq -r '.icc * 100 | round')" 29
is "all six forms are listed, ICC(3,1) rounds to the published 0.71" \
    "$(echo "$out" | jq -r '[.forms[].type] | join(" ")') $(echo "$out" | jq -r '.forms[2].icc * 100 | round')" \
    "ICC1 ICC2 ICC3 ICC1k ICC2k ICC3k 71"
is "rows with a missing cell are dropped and counted" \
    "$($FXAUDIT stats icc "$R/missing.csv" --cols o1,o2,o3 --json | jq -c '[.n, .dropped]')" "[9,3]"

check_ba() { # SET COLS
    out=$($FXAUDIT stats bland-altman "$R/$1.csv" --cols "$2" --json)
    what="stats bland-altman on $1 ($2) equals base R: n, bias, SD, limits, their CIs"
    set -- $(ref ba "$1" "$2")
    got=$(echo "$out" | jq -r '[.n, .dropped, .bias, .sd, .loa[0], .loa[1], .bias_ci[0], .bias_ci[1], .loa_lower_ci[0], .loa_lower_ci[1], .loa_upper_ci[0], .loa_upper_ci[1]] | @tsv')
    ok=yes
    i=0
    shift 3
    for w in "$@"; do
        i=$((i + 1))
        g=$(echo "$got" | cut -f$i)
        close "$g" "$w" || { ok=no; echo "# field $i: got $g, R $w"; }
    done
    is "$what" "$ok" yes
}
check_ba hand A,B
check_ba two_raters obs1,obs2
check_ba missing o1,o2
check_ba repeats A_rep1,A_rep2
is "bland-altman: the hand calculation (bias -1, limits -1 -/+ 1.96 sqrt(0.5))" \
    "$($FXAUDIT stats bland-altman "$R/hand.csv" --cols A,B --json | jq -r '[.bias, (.loa[1] * 1e6 | round)] | @tsv')" \
    "$(printf -- '-1\t385929')"

# Bad input: clear messages, exit 1 for a bad file, 2 for a bad command line.
printf 'a,b\n1,2\n3,x\n' >"$TMP/text.csv"
$FXAUDIT stats icc "$TMP/text.csv" --cols a,b --json >"$TMP/out" 2>"$TMP/err"
is "a non-numeric cell fails with exit 1" "$?" 1
is "the message names the file, line and column" \
    "$(grep -c "'$TMP/text.csv' line 3, column 'b': 'x' is not a number" "$TMP/err")" 1
is "nothing is printed on stdout when the input is bad" "$(wc -c <"$TMP/out")" 0
is "an unknown column fails with exit 1" \
    "$(status_of $FXAUDIT stats icc "$R/hand.csv" --cols A,Z)" 1
is "one column is a usage error" "$(status_of $FXAUDIT stats icc "$R/hand.csv" --cols A)" 2
is "three columns for bland-altman is a usage error" \
    "$(status_of $FXAUDIT stats bland-altman "$R/sf1979.csv" --cols J1,J2,J3)" 2
is "no file is a usage error" "$(status_of $FXAUDIT stats icc --cols A,B)" 2
is "a missing file fails with exit 1" "$(status_of $FXAUDIT stats icc "$TMP/none.csv" --cols A,B)" 1
printf 'a,b\n1,2\n3,4,5\n' >"$TMP/ragged.csv"
is "a row with too many fields fails with exit 1" \
    "$(status_of $FXAUDIT stats bland-altman "$TMP/ragged.csv" --cols a,b)" 1
printf '"x y",b\r\n1,2\r\n"3",5\r\n,\r\n4,4\r\n' >"$TMP/crlf.csv"
is "quoted names, CRLF line ends and an empty row are read" \
    "$($FXAUDIT stats bland-altman "$TMP/crlf.csv" --cols 'x y,b' --json | jq -c '[.n, .dropped, .bias]')" \
    "[3,1,-1]"
ok_if "stats icc --help exits 0" $FXAUDIT stats icc --help
ok_if "stats bland-altman --help exits 0" $FXAUDIT stats bland-altman --help
done_testing
