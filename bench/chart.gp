# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh's chart: one bar per row, its ratio of medians to its reference row (log
# scale, 1 = the reference), the whisker from its min to its max over the same reference.
#   gnuplot -e "data='chart.dat'; out='latest.png'; title='...'" bench/chart.gp
set terminal pngcairo size 1400,800 font "sans,10"
set output out
set title title
set datafile separator "\t"
set logscale y 10
set ylabel "ratio to the reference row (median; whisker min..max)"
set grid ytics
set xtics rotate by -40 left noenhanced
set bmargin 14
set rmargin 24
set style fill solid 0.6 border -1
set boxwidth 0.7
set key off
set yrange [0.5:*]
plot data using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     data using 0:2:3:4 with yerrorbars lc rgb "#222222" pt 0, \
     1 with lines lc rgb "#aa3333" dt 2
