package outreach

import (
	"math"
	"strconv"
	"strings"
)

// Label writes the question in plain French for the counsellor, e.g.
// "Peut se rendre à Lyon (12 km) ?". Unlike SMS it is neither squeezed into
// GSM-7 nor shortened, and it leaves out the answer that qualifies (see
// Qualifies), shown apart. Free text is shown as the counsellor wrote it.
func (q Question) Label() string {
	switch q.Kind {
	case QuestionAvailableFrom:
		return "Disponible à partir du " + q.Date.Format("02/01/2006") + " ?"
	case QuestionAcceptsHours:
		return "Horaires acceptés : " + strings.TrimSpace(q.Hours) + " ?"
	case QuestionCanTravel:
		town := strings.TrimSpace(q.Town)
		if q.DistanceKM > 0 {
			km := int(max(math.Round(q.DistanceKM), 1))
			return "Peut se rendre à " + town + " (" + strconv.Itoa(km) + " km) ?"
		}
		return "Peut se rendre à " + town + " ?"
	case QuestionAcceptsSalary:
		return "Salaire accepté : " + strings.TrimSpace(q.Salary) + " ?"
	case QuestionHoldsLicence:
		return "Titulaire de : " + strings.TrimSpace(q.Licence) + " ?"
	}
	return strings.TrimSpace(q.Text)
}
