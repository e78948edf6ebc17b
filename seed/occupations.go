package seed

// occupation is a common job among job seekers, with its ROME 4.0 code and
// label (checked against the referential), a relative frequency, related
// codes a candidate may also search for, and typical skills.
type occupation struct {
	code    string
	label   string // ROME 4.0 label, to catch a wrong code
	weight  int
	related []string
	skills  []string
}

// occupations are weighted towards the jobs most sought by registered job
// seekers: retail, care, cleaning, logistics, catering and office work.
var occupations = []occupation{
	// Retail.
	{"D1507", "Employé / Employée de rayon libre-service", 6, []string{"D1505", "N1103"},
		[]string{"mise en rayon", "gestion des stocks", "accueil client", "étiquetage", "rotation des produits"}},
	{"D1505", "Hôte / Hôtesse de caisse", 5, []string{"D1507"},
		[]string{"encaissement", "accueil client", "tenue de caisse", "gestion des réclamations", "contrôle des prix"}},
	{"D1214", "Vendeur / Vendeuse en prêt-à-porter", 4, []string{"D1212", "D1505"},
		[]string{"vente conseil", "accueil client", "encaissement", "merchandising", "gestion des stocks"}},
	{"D1106", "Vendeur / Vendeuse en épicerie", 2, []string{"D1507", "D1505"},
		[]string{"vente conseil", "hygiène alimentaire", "encaissement", "mise en rayon", "accueil client"}},
	{"D1102", "Boulanger / Boulangère", 2, []string{"D1104", "D1106"},
		[]string{"panification", "pétrissage", "façonnage", "hygiène alimentaire", "cuisson"}},
	{"D1202", "Coiffeur / Coiffeuse", 1, []string{"D1208"},
		[]string{"coupe", "coloration", "brushing", "accueil client", "conseil en image"}},

	// Health and care.
	{"J1501", "Aide-soignant / Aide-soignante", 5, []string{"J1301", "K1302"},
		[]string{"soins d'hygiène", "aide au repas", "transmissions", "prévention des escarres", "diplôme d'état d'aide-soignant"}},
	{"J1301", "Agent / Agente de service hospitalier (ASH)", 3, []string{"J1501", "K2205"},
		[]string{"bionettoyage", "hygiène hospitalière", "aide au repas", "entretien des chambres", "tri des déchets"}},
	{"J1506", "Infirmier / Infirmière en soins généraux (IDE)", 2, []string{"J1505"},
		[]string{"soins infirmiers", "administration des traitements", "diplôme d'état d'infirmier", "transmissions", "dossier patient"}},
	{"K1302", "Assistant / Assistante de vie dépendance", 4, []string{"K1304", "J1501"},
		[]string{"aide à la toilette", "aide au repas", "accompagnement des personnes âgées", "entretien du logement", "permis b"}},
	{"K1304", "Employé familial / Employée familiale", 4, []string{"K1302", "K2205"},
		[]string{"entretien du logement", "repassage", "courses", "préparation des repas", "permis b"}},
	{"K1303", "Garde d'enfant", 2, []string{"K1310", "K1304"},
		[]string{"garde d'enfants", "activités d'éveil", "sécurité des enfants", "aide aux devoirs", "préparation des repas"}},
	{"K1310", "Assistant maternel / Assistante maternelle", 2, []string{"K1303"},
		[]string{"agrément assistant maternel", "activités d'éveil", "soins aux enfants", "sécurité des enfants"}},
	{"J1304", "Auxiliaire de puériculture", 2, []string{"K1303", "J1501"},
		[]string{"soins aux nourrissons", "hygiène", "activités d'éveil", "diplôme d'état d'auxiliaire de puériculture"}},

	// Cleaning and security.
	{"K2205", "Agent / Agente de propreté de locaux", 6, []string{"K2204", "G1501"},
		[]string{"nettoyage de locaux", "autolaveuse", "produits d'entretien", "tri des déchets", "bionettoyage"}},
	{"K2204", "Agent / Agente de nettoyage industriel", 2, []string{"K2205"},
		[]string{"nettoyage industriel", "autolaveuse", "monobrosse", "produits d'entretien", "port des epi"}},
	{"G1501", "Employé / Employée d'étage", 2, []string{"K2205", "G1502"},
		[]string{"ménage en hôtellerie", "faire les lits", "produits d'entretien", "contrôle des chambres"}},
	{"K2503", "Agent / Agente de prévention et de sécurité", 2, []string{"K2504"},
		[]string{"carte professionnelle cnaps", "ssiap 1", "rondes de surveillance", "contrôle d'accès", "sst"}},
	{"A1203", "Agent / Agente d'entretien des espaces verts", 2, []string{"A1208"},
		[]string{"tonte", "taille de haies", "débroussaillage", "entretien des massifs", "permis b"}},

	// Logistics and transport.
	{"N1103", "Préparateur / Préparatrice de commandes", 6, []string{"N1105", "N1101"},
		[]string{"préparation de commandes", "lecture de codes-barres", "caces 1", "gestes et postures", "conditionnement"}},
	{"N1105", "Manutentionnaire", 3, []string{"N1103"},
		[]string{"chargement", "déchargement", "gestes et postures", "filmage des palettes", "caces 1"}},
	{"N1101", "Cariste", 3, []string{"N1103", "N1110"},
		[]string{"caces 3", "caces 5", "gestion des stocks", "chargement", "inventaire"}},
	{"N1110", "Magasinier / Magasinière", 2, []string{"N1103", "N1101"},
		[]string{"réception de marchandises", "inventaire", "caces 1", "gestion des stocks", "logiciel de gestion des stocks"}},
	{"N4105", "Conducteur-livreur / Conductrice-livreuse", 3, []string{"N4101", "N1105"},
		[]string{"permis b", "livraison", "chargement", "relation client", "lecture de plans de tournée"}},
	{"N4101", "Conducteur / Conductrice de poids lourd", 2, []string{"N4105"},
		[]string{"permis c", "permis ce", "fimo", "chronotachygraphe", "arrimage des charges"}},
	{"N4103", "Conducteur / Conductrice de bus", 1, []string{"N4102"},
		[]string{"permis d", "fimo voyageurs", "accueil des voyageurs", "billettique"}},

	// Catering.
	{"G1602", "Commis / Commise de cuisine", 3, []string{"G1609", "G1605"},
		[]string{"hygiène alimentaire", "haccp", "préparations froides", "épluchage", "mise en place"}},
	{"G1609", "Cuisinier / Cuisinière", 3, []string{"G1602", "G1606"},
		[]string{"haccp", "cuisson", "élaboration de menus", "dressage", "gestion des stocks"}},
	{"G1605", "Plongeur officier / Plongeuse officière de cuisine", 2, []string{"G1602"},
		[]string{"plonge", "lave-vaisselle", "hygiène alimentaire", "nettoyage de la cuisine"}},
	{"G1803", "Serveur / Serveuse en restauration", 4, []string{"G1801", "G1603"},
		[]string{"service en salle", "prise de commande", "encaissement", "accueil client", "anglais"}},
	{"G1603", "Equipier polyvalent / Equipière polyvalente de restauration rapide", 3, []string{"G1803", "G1602"},
		[]string{"prise de commande", "encaissement", "hygiène alimentaire", "préparation des produits", "travail en équipe"}},

	// Office work.
	{"M1607", "Secrétaire", 3, []string{"M1602", "M1601"},
		[]string{"accueil téléphonique", "bureautique", "gestion d'agenda", "rédaction de courriers", "classement"}},
	{"M1602", "Agent administratif / Agente administrative", 3, []string{"M1607", "M1606"},
		[]string{"saisie de données", "classement", "bureautique", "gestion de courrier", "accueil téléphonique"}},
	{"M1601", "Chargé / Chargée d'accueil", 2, []string{"M1607"},
		[]string{"accueil physique", "standard téléphonique", "orientation du public", "bureautique"}},
	{"D1408", "Conseiller / Conseillère clientèle à distance", 3, []string{"D1401"},
		[]string{"relation client à distance", "argumentation commerciale", "logiciel crm", "gestion des réclamations"}},
	{"M1203", "Comptable", 2, []string{"M1213", "M1608"},
		[]string{"saisie comptable", "rapprochement bancaire", "déclarations de tva", "logiciel sage", "excel"}},
	{"I1404", "Conseiller / Conseillère support technique informatique", 1, []string{"I1401"},
		[]string{"support utilisateurs", "installation de postes", "windows", "réseaux", "gestion des tickets"}},

	// Building and industry.
	{"F1704", "Manœuvre bâtiment", 3, []string{"F1703"},
		[]string{"port de charges", "préparation du mortier", "nettoyage de chantier", "travail en hauteur", "port des epi"}},
	{"F1703", "Maçon / Maçonne", 2, []string{"F1704", "F1701"},
		[]string{"maçonnerie", "lecture de plans", "coffrage", "montage de murs", "travail en hauteur"}},
	{"F1602", "Electricien / Electricienne du bâtiment", 2, []string{"F1605"},
		[]string{"habilitation électrique", "lecture de schémas", "câblage", "pose de tableaux électriques", "permis b"}},
	{"H2913", "Soudeur / Soudeuse", 1, []string{"H2917", "H2902"},
		[]string{"soudage mig mag", "soudage tig", "lecture de plans", "meulage", "port des epi"}},
	{"I1604", "Mécanicien / Mécanicienne automobile", 1, []string{"I1606"},
		[]string{"diagnostic", "vidange", "freinage", "distribution", "outils de diagnostic"}},
}
