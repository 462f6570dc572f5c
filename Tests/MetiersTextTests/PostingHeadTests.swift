import MetiersText
import XCTest

/// Where a posting's title is: a head before a separator, unless it is a lead-in; or the words
/// after a recruiting or self-describing marker.
final class PostingHeadTests: XCTestCase {
    func title(_ text: String) -> String? {
        guard let range = PostingHead.title(of: text, tokens: Tokenizer.tokenize(text)) else { return nil }
        let scalars = Array(text.unicodeScalars)
        return String(String.UnicodeScalarView(scalars[range]))
    }

    func testAHeadBeforeASeparatorIsTheTitle() {
        XCTAssertEqual(title("Administrateur systèmes Linux H/F : vous gérez le parc"), "Administrateur systèmes Linux H/F ")
        XCTAssertEqual(title("Urbaniste SI senior - mission longue chez un acteur de l'energie"), "Urbaniste SI senior ")
        XCTAssertEqual(title("Chef de projet | Paris"), "Chef de projet ")
    }

    func testALeadInIsNotATitle() {
        XCTAssertNil(title("Missions : participer à la conception technique, développer les fonctionnalités"))
        XCTAssertNil(title("Vos missions - accompagner les équipes et suivre les indicateurs du service"))
        XCTAssertNil(title("Profil recherché : cinq ans d'expérience en développement et en tests"))
        XCTAssertNil(title("Description du poste | vous administrez les serveurs de production"))
    }

    func testATitleAfterAMarker() {
        XCTAssertEqual(title("Boulangerie artisanale recherche boulanger(ère) pour la fabrication des pains"), "boulanger")
        XCTAssertEqual(title("Nous recrutons une développeuse Java pour notre équipe"), "développeuse Java")
        XCTAssertEqual(title("Rejoignez-nous en tant que administrateur réseau, au sein de la DSI"), "administrateur réseau")
        XCTAssertEqual(title("Je suis consultante AMOA depuis 6 ans, j'interviens coté maitrise d'ouvrage"), "consultante AMOA")
        XCTAssertEqual(title("Missions : nous recherchons un architecte cloud pour nos clients"), "architecte cloud")
    }

    func testEverySeparatorIsFound() {
        let text = "Développeur Java - CDI | Lyon : télétravail\u{2013}partiel"
        let scalars = Array(text.unicodeScalars)
        XCTAssertEqual(PostingHead.separators(in: scalars[...]).map { String(scalars[$0]) }, ["-", "|", ":", "\u{2013}"])
        XCTAssertEqual(PostingHead.separators(in: Array("avant-vente".unicodeScalars)[...]), [], "a hyphen inside a word is none")
        XCTAssertEqual(PostingHead.separator(in: scalars), PostingHead.separators(in: scalars[...]).first)
    }

    /// Cities and numbers say where and how many, never what the job is; a word that is also
    /// another word ("Nice", "Tours") is no place here.
    func testPlacesAndNumbersAreTitleNoise() {
        for word in ["paris", "villeurbanne", "75", "3e", "1er", "15eme", "06", "nice", "tours", "n1", "3d", "java"] {
            let noise = ["paris", "75", "3e", "1er", "15eme", "06"].contains(word)
            XCTAssertEqual(JobNoise.isTitleNoise(word), noise, word)
        }
        XCTAssertTrue(JobNoise.isPostingNoise("lyon"))
        XCTAssertFalse(JobNoise.isTitleNoise("defense"), "la Défense is also a trade's word")
    }

    /// An introduction of the employer is passed over: the title is the next sentence's head,
    /// never one spanning two sentences or a section label further on.
    func testAnIntroductionIsPassedOver() {
        let intro = "Société de services numériques de 250 personnes, nous accompagnons nos clients grands comptes depuis 2005. "
        XCTAssertEqual(title(intro + "Coach agile : vous accompagnez la transformation agile de la DSI."), "Coach agile ")
        XCTAssertEqual(title(intro + "Nous recrutons une développeuse Java pour notre équipe."), "développeuse Java")
        let text = intro + "Coach agile : vous accompagnez les équipes."
        XCTAssertEqual(PostingHead.introductionEnd(of: text, tokens: Tokenizer.tokenize(text)), intro.unicodeScalars.count)
        // A first sentence as short as a title is no introduction; one with a separator neither.
        let short = "Développeur Java confirmé. Vous concevez : des API."
        XCTAssertEqual(PostingHead.introductionEnd(of: short, tokens: Tokenizer.tokenize(short)), 0)
        // After an introduction, a head does not reach into the sentence after the next.
        XCTAssertNil(title("We are looking for a Cloud Architect to design landing zones and the target technical architecture. "
            + "Vous participerez aussi aux avant-ventes. Avantages : RTT, mutuelle."))
        XCTAssertNil(title(intro + "Stack : Java, Kafka et PostgreSQL sur Kubernetes."), "a section label is no title")
    }

    func testTextWithoutTitleHasNone() {
        XCTAssertNil(title("Vous concevez l'architecture applicative des nouveaux projets et tenez à jour le référentiel"))
        XCTAssertNil(title(""))
    }
}
