# Shared locations of the lab; sourced by the other scripts. HEADROOM_LAB may be overridden.
HEADROOM_LAB=${HEADROOM_LAB:-/var/lib/headroom-lab}
export HEADROOM_LAB
