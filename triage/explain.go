package triage

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

func percent(p float64) string { return strconv.Itoa(int(p*100+0.5)) + "%" }
