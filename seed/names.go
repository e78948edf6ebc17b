package seed

// firstNames are common French first names across generations, about half
// female and half male.
var firstNames = []string{
	// Female.
	"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Martine", "Christine",
	"Françoise", "Valérie", "Sandrine", "Stéphanie", "Céline", "Sophie", "Véronique",
	"Aurélie", "Julie", "Émilie", "Laetitia", "Camille", "Léa", "Manon", "Chloé",
	"Laura", "Sarah", "Emma", "Inès", "Jade", "Louise", "Alice", "Lina", "Clara",
	"Anaïs", "Pauline", "Marine", "Mélanie", "Audrey", "Virginie", "Caroline",
	"Élodie", "Karine", "Patricia", "Nadia", "Fatima", "Amina", "Yasmine", "Sonia",
	"Océane", "Mathilde", "Charlotte", "Justine", "Morgane", "Margaux", "Lucie",
	"Agathe", "Zoé", "Lola", "Nora", "Mélissa", "Estelle", "Hélène", "Brigitte",
	"Monique", "Corinne", "Florence", "Delphine", "Anne", "Claire", "Émeline",
	"Noémie", "Romane", "Maëlys", "Ambre", "Aïcha", "Samia", "Leïla",
	// Male.
	"Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe",
	"Pierre", "Christian", "Éric", "Frédéric", "Laurent", "Stéphane", "David",
	"Olivier", "Sébastien", "Julien", "Thomas", "Alexandre", "Maxime", "Kevin",
	"Romain", "Anthony", "Jérémy", "Mickaël", "Florian", "Guillaume", "Benjamin",
	"Lucas", "Hugo", "Théo", "Louis", "Nathan", "Enzo", "Mathis", "Léo", "Gabriel",
	"Raphaël", "Arthur", "Jules", "Adam", "Noah", "Mohamed", "Karim", "Mehdi",
	"Rachid", "Yassine", "Bilal", "Samir", "Youssef", "Antoine", "Vincent",
	"Cédric", "Fabrice", "Franck", "Thierry", "Bruno", "Pascal", "Didier",
	"Gilles", "Dominique", "Jérôme", "Damien", "Yannick", "Ludovic", "Quentin",
	"Baptiste", "Clément", "Valentin", "Dylan", "Loïc", "Mathieu", "Adrien",
	"Bastien", "Ibrahima",
}
