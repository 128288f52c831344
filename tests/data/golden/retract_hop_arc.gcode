; A hand-written file exercising the simulator's states: relative E, a retraction with a hop,
; a travel, the return, an arc, a firmware retraction, and a layer change.
G21
G90
M83
G28
;LAYER_CHANGE
G1 Z0.2 F600
G1 X10 Y10 F3000
G1 X20 Y10 E1.0
G1 E-0.8 F2100
G1 Z0.6
G1 X30 Y20
G1 Z0.2
G1 E0.8
G2 X40 Y20 I5 J0 E1.5
G10
G11
;LAYER_CHANGE
G1 Z0.4
G1 X50 Y20 E1.0
