package sqlstore

// notPoliceMessage is what a reporter reads when their report is not a
// police matter, in the language they declared or wrote in.
func notPoliceMessage(declared, detected string) string {
	lang := declared
	if lang == "" {
		switch detected {
		case "ar", "ary":
			lang = "ar"
		case "en":
			lang = "en"
		default:
			lang = "fr"
		}
	}
	switch lang {
	case "ar":
		return "بلاغكم لا يدخل في اختصاص الشرطة. يرجى التوجه إلى الجماعة أو المصلحة المختصة. وفي حالة الخطر اتصلوا بالرقم 19."
	case "en":
		return "Your report is not a police matter. Please contact the municipality or the competent service. In an emergency, call 19."
	}
	return "Votre signalement ne relève pas de la police. Adressez-vous à la commune ou au service compétent. En cas de danger, appelez le 19."
}
