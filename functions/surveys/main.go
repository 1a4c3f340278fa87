// Command surveys is SurveysFunction: staff survey routes (invitations, answers,
// a customer's satisfaction).
package main

import "keycare/shared/platform"

func main() { platform.Start("SurveysFunction") }
