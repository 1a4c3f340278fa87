// Command reports is ReportsFunction: the monthly report on demand, its
// verification, the complaint statistics table, contracts and volume.
package main

import "keycare/shared/platform"

func main() { platform.Start("ReportsFunction") }
