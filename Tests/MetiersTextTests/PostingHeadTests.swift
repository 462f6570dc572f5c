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

    func testTextWithoutTitleHasNone() {
        XCTAssertNil(title("Vous concevez l'architecture applicative des nouveaux projets et tenez à jour le référentiel"))
        XCTAssertNil(title(""))
    }
}
