# bins.gp - counts already binned (e.g. the registration residuals the audit
# stores): bins.dat: lo hi count inlier. Bins may differ in width; bins with
# inlier = 1 are filled blue, the others (trimmed away) orange and hatched,
# so the two stay apart in black and white too.
W = @WIDTH@; H = @HEIGHT@
TITLE = '@TITLE@'; XLABEL = '@XLABEL@'; YLABEL = '@YLABEL@'; NOTE = '@NOTE@'
load '@COMMON@'
set output '@OUT@'
set yrange [0 : *]
set offsets 0, 0, graph 0.12, 0
# the key under the note and left of the last bins (an open tail bin there may
# be the tallest)
set key at graph 0.78, graph 0.86 right top samplen 1.5 spacing 1.2
plot '@DIR@/bins.dat' using (($4 == 1) ? ($1 + $2) / 2 : NaN):3:($2 - $1) with boxes \
         fill solid 1.0 border lc rgb '#333333' lc rgb '#9cc3e0' title '@LABEL_IN@', \
     '@DIR@/bins.dat' using (($4 == 0) ? ($1 + $2) / 2 : NaN):3:($2 - $1) with boxes \
         fill pattern 4 border lc rgb '#333333' lc rgb '#D55E00' title '@LABEL_OUT@'
