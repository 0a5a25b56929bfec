package faces

// ConsentVersion names the consent text below; every registration stores
// the version its guest agreed to. Change it whenever the text changes in
// substance, so what each guest agreed to stays known.
const ConsentVersion = "selfie-2026-11"

// Consent is the explanation a guest reads, and agrees to, before the
// camera opens: what is computed, what is kept, for how long, and how to
// delete it, in plain words. The web page and the API (for native apps to
// show) use the same text.
type Consent struct {
	Version  string        `json:"version"`
	Summary  string        `json:"summary"`  // the two sentences shown first
	Computed string        `json:"computed"` // what is computed
	Kept     string        `json:"kept"`     // what is kept
	HowLong  string        `json:"how_long"` // for how long
	Delete   string        `json:"delete"`   // how to delete it
	Agree    string        `json:"agree"`    // the sentence the guest ticks
	Details  []ConsentItem `json:"-"`        // the four above with their headings, for pages
}

// ConsentItem is one part of the explanation under its heading.
type ConsentItem struct{ Heading, Text string }

// ConsentText is the explanation for one invite: studio names the
// photographer, event the collection.
func ConsentText(studio, event string) Consent {
	if studio == "" {
		studio = "The photographer"
	}
	c := Consent{
		Version: ConsentVersion,
		Summary: "Take a selfie and we show you the photos of " + event + " that you are in. " +
			"Your selfie is never stored: we keep only a description of your face, to find your photos, until you delete it.",
		Computed: "Your camera takes one picture. Our server finds your face in it and turns it into 512 numbers " +
			"that describe the face, then compares them with the faces in the event's photos. " +
			"The picture itself is read in memory and thrown away: it is never saved anywhere.",
		Kept: "Your name, your e-mail address, the time you agreed, and the numbers of the first selfie " +
			"that worked, so that later selfies can be checked to be you. " + studio + " can see your name and e-mail address. " +
			"Each search is logged with its time and how many photos it found, never with your face.",
		HowLong: "Until you delete your registration, or until " + studio +
			" turns face search off for this event, whichever comes first.",
		Delete: "Press “Delete my registration” below your selfie or your photos, at any time. " +
			"Your name, e-mail address and face numbers are deleted at once.",
		Agree: "I agree that my face is compared with the photos of " + event + " as explained above.",
	}
	c.Details = []ConsentItem{{"What we compute", c.Computed}, {"What we keep", c.Kept},
		{"For how long", c.HowLong}, {"How to delete it", c.Delete}}
	return c
}
