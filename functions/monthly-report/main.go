// Command monthly-report is MonthlyReportFunction: on the 1st, last
// month's reports kept as snapshots and mailed once.
package main

import "keycare/shared/platform"

func main() { platform.Start("MonthlyReportFunction") }
