# common.gp - the look every fxaudit figure shares, loaded by the figure
# templates after they set W, H, TITLE, XLABEL, YLABEL and NOTE.
# PNG through cairo at print resolution (1800 px across 170 mm is ~270 dpi),
# one sans-serif font, a light grid, the Okabe-Ito colours (told apart with
# colour-vision deficiency) and distinct point shapes, so that a figure still
# reads when printed in black and white. Text is taken literally (noenhanced):
# names such as "P_01" must not turn into subscripts.
set encoding utf8
set terminal pngcairo size W, H noenhanced font 'Sans,11' fontscale 2.5 linewidth 2.5 rounded
set border 3 lw 1.0 lc rgb '#333333'
set tics nomirror out scale 0.6 textcolor rgb '#222222'
set grid ytics lw 0.5 lc rgb '#d9d9d9' dt 1
set key noautotitle
set linetype 1 lc rgb '#0072B2' pt 7 ps 1.8
set linetype 2 lc rgb '#D55E00' pt 5 ps 1.6
set linetype 3 lc rgb '#009E73' pt 9 ps 2.0
set linetype 4 lc rgb '#CC79A7' pt 11 ps 2.0
set linetype 5 lc rgb '#E69F00' pt 13 ps 1.9
set linetype 6 lc rgb '#56B4E9' pt 4 ps 1.6
set linetype 7 lc rgb '#000000' pt 6 ps 1.6
set linetype 8 lc rgb '#999999' pt 8 ps 1.9
set linetype cycle 8
set lmargin 12
set bmargin 4.5
if (strlen(TITLE) > 0) set title TITLE font ',12'
if (strlen(XLABEL) > 0) set xlabel XLABEL
if (strlen(YLABEL) > 0) set ylabel YLABEL offset 1, 0
if (strlen(NOTE) > 0) set label 100 NOTE at graph 0.02, graph 0.97 left front textcolor rgb '#222222'
