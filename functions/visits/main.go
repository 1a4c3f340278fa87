// Command visits is VisitsFunction: visit plans, visits and reports,
// follow-ups, customer events, relationship plans and handovers.
package main

import "keycare/shared/platform"

func main() { platform.Start("VisitsFunction") }
