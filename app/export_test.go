package app

// SetHoledPages turns the gallery page kept rendered with holes on or off,
// so a test can compare it with the template's page.
func SetHoledPages(on bool) { wholePages.Store(!on) }
