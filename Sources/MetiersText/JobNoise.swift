/// Words of job titles and postings that say nothing about the job itself: gender marks,
/// seniority, contract, pay, place and the phrases of recruiting. They neither match nor rank.
public enum JobNoise {
    /// Seniority and contract words around a job title ("Senior", "H/F", "CDI", "(alternance)").
    public static let titleWords: Set<String> = [
        "h", "f", "hf", "fh", "x", "junior", "senior", "sr", "jr", "confirme", "experimente",
        "debutant", "lead", "principal", "stagiaire", "stage", "alternance", "alternant",
        "apprenti", "apprentissage", "cdi", "cdd", "interim", "freelance", "independant",
        "temps", "plein", "partiel", "remote", "teletravail", "hybride", "poste", "offre",
        "emploi", "urgent", "nouveau", "nouvelle",
    ]

    /// Words of postings beyond the title: pay, benefits, place, recruiting phrases.
    public static let postingWords: Set<String> = [
        // pay and benefits
        "salaire", "remuneration", "k", "keur", "euro", "euros", "brut", "brute", "annuel", "annuelle",
        "package", "variable", "prime", "primes", "avantage", "avantages", "mutuelle", "ticket",
        "tickets", "restaurant", "rtt", "conges", "cse", "interessement", "participation",
        // contract and schedule
        "duree", "determinee", "indeterminee", "demarrage", "asap", "immediat",
        "jours", "semaine", "semaines", "mois", "an", "ans", "annee", "annees",
        // recruiting phrases
        "recherchons", "recherche", "recrute", "recrutons", "rejoignez", "rejoindre", "rejoins",
        "postulez", "postuler", "candidature", "candidat", "candidate", "cv", "profil",
        "idealement", "idealemen", "souhaite", "souhaitee", "appreciee", "apprecie", "requis",
        "minimum", "min", "serait", "plus", "atout", "vous", "votre", "vos", "nous", "notre",
        "nos", "entreprise", "societe", "groupe", "cabinet", "start", "up", "startup", "scale",
        "leader", "croissance", "ambitieux", "dynamique", "passionne", "motive", "rigoureux",
        "autonome", "curieux", "esprit", "sein", "rattache", "rattachee",
        // places
        "paris", "lyon", "marseille", "toulouse", "nice", "nantes", "strasbourg", "montpellier",
        "bordeaux", "lille", "rennes", "reims", "grenoble", "dijon", "angers", "nimes", "aix",
        "brest", "tours", "limoges", "amiens", "metz", "besancon", "perpignan", "orleans", "rouen",
        "caen", "nancy", "niort", "sophia", "antipolis", "defense", "ile", "idf", "region",
        "france", "francais", "lyonnaise", "parisienne", "luxembourg", "geneve", "bruxelles",
        "arrondissement", "ville", "locaux",
    ]

    public static func isTitleNoise(_ word: String) -> Bool { titleWords.contains(word) }

    public static func isPostingNoise(_ word: String) -> Bool {
        titleWords.contains(word) || postingWords.contains(word)
    }
}
