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
        // places that are also words ("la Défense", "Île-de-France", "région")
        "defense", "ile", "region", "france", "francais", "lyonnaise", "parisienne", "luxembourg",
        "geneve", "bruxelles", "ville", "locaux",
    ]

    /// Cities, which a job board writes after a title ("Développeur Java - Paris") and which
    /// never say what the job is. Only names that are no other word ("Nice" and "Tours" are,
    /// in English and French: "Conducteur de tours").
    public static let placeWords: Set<String> = [
        "paris", "lyon", "marseille", "toulouse", "nantes", "strasbourg", "montpellier",
        "bordeaux", "lille", "rennes", "reims", "grenoble", "dijon", "angers", "nimes", "aix",
        "brest", "limoges", "amiens", "metz", "besancon", "perpignan", "orleans", "rouen",
        "caen", "nancy", "niort", "sophia", "antipolis", "idf", "arrondissement",
    ]

    /// A number, or an ordinal as places write them: a department ("(75)"), an arrondissement
    /// ("Lyon 3e", "1er"), a count. A title's numbers say where or how many, not what.
    public static func isNumber(_ word: String) -> Bool {
        let digits = word.utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        guard digits > 0 else { return false }
        let rest = word.utf8.dropFirst(digits)
        return rest.isEmpty || rest.elementsEqual("e".utf8) || rest.elementsEqual("er".utf8) || rest.elementsEqual("eme".utf8)
    }

    public static func isTitleNoise(_ word: String) -> Bool {
        titleWords.contains(word) || placeWords.contains(word) || isNumber(word)
    }

    public static func isPostingNoise(_ word: String) -> Bool {
        isTitleNoise(word) || postingWords.contains(word)
    }
}
