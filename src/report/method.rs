//! The report page's method chapter: how the survey is sampled, weighted, estimated,
//! compared and protected, its numbers formatted from `analysis::policy`.

use maud::{Markup, html};

use crate::analysis::policy as P;

/// The method chapter.
pub fn chapter() -> Markup {
    html! {
        section.chapter #metod {
            h2 { "Metod" }
            h3 { "Urval och svarsfrekvens" }
            p { "Ett år med slumpmässigt urval drar trygg ett stratifierat obundet slumpmässigt urval av invånare 16–84 år i varje område ur befolkningsregistret (strata: kön och åldersgrupp, med proportionell fördelning). Varje utvald person får ett brev med en engångskod, sedan en påminnelse och en pappersenkät. Svaren kan inte kopplas till koden eller personen: trygg sparar aldrig namn, adress eller personnummer, och ett svar bär ingenting från koden. Designvikten är populationen delat med antalet brev i stratumet (N_h / n_h), och viktningen nedan utgår från den. Stratum bestäms av svarandens egna svar om kön och ålder." }
            h3 { "Viktning" }
            p { "Svaren i varje område och år viktas så att fördelningen på kön och åldersgrupp (16–24, 25–44, 45–64 och 65–84 år) motsvarar befolkningen enligt befolkningsfilen (raking, iterativ proportionell anpassning). Den som inte angett kön eller ålder behåller sin andel. Vikter över " (P::TRIM_FACTOR) " gånger medelvikten trimmas och viktningen görs om, högst " (P::MAX_TRIM_ROUNDS) " gånger; når trimningen inte taket redovisas den största vikten i svarstabellen. Saknas svarande i en åldersgrupp slås den ihop med grannen (16–24 med 25–44, 65–84 med 45–64), och det redovisas. För varje område redovisas effektivt antal svar (Kish)." }
            h3 { "Andelar och osäkerhet" }
            p { "En indikator är den viktade andelen som valt de svarsalternativ som räknas (till exempel ganska eller mycket stort problem). \"Vet ej\" och obesvarade frågor räknas inte. Osäkerheten skattas med linjärisering, och 95-procentiga konfidensintervall beräknas på logitskalan; vid andelen 0 eller 1 används Clopper–Pearsons intervall. Ett intervall bredare än " (P::sv((P::UNCERTAIN_WIDTH * 100.0).round())) " procentenheter markeras som osäkert. I ett test får en andel på exakt 0 eller 1 variansen för den justerade andelen (p·n_eff + 0,5)/(n_eff + 1) i stället för 0, så att testet inte blir för säkert." }
            h3 { "Förändringar" }
            p { "Två år i ett område är oberoende urval. Förändringen prövas med ett z-test, och eftersom rapporten gör många jämförelser justeras p-värdena med Benjamini–Hochbergs metod (q-värden). En förändring kallas signifikant när q < " (P::sv(P::SIGNIFICANCE)) ". Jämförelser görs bara mellan år som ställt samma fråga. Svar via öppen länk är självselekterade, inte ett slumpmässigt urval: förändringar till eller från ett sådant år, och åtgärdseffekter som bygger på ett, visas men prövas inte (\"ej prövad\")." }
            h3 { "Indexnivåer" }
            p { "Varje indikator har ett normvärde. Nivån 0–6 anger hur långt andelen ligger från normen, i steg som bestäms av osäkerheten vid cirka 360 svar: nivå 2 är normalläget, högre nivåer är sämre. Ett index (problem, utsatthet, otrygghet och totalt) är medelvärdet av indikatorernas nivåer: högst " (P::sv(P::INDEX_LOW_MAX)) " är lågt, upp till " (P::sv(P::INDEX_RAISED_MAX)) " förhöjt och därutöver högt. Detta är trygg:s dokumenterade modell, inte en kopia av polisens interna tabeller." }
            h3 { "Sekretess och små grupper" }
            p { "En skattning med färre än " (P::sv(P::MIN_N)) " svar, eller ett effektivt antal under " (P::sv(P::MIN_N_EFF)) ", visas inte (\"för få svar\") – varken värde, intervall, nivå eller förändring. Antal under " (P::sv(P::SMALLEST_PUBLISHED_N)) " publiceras aldrig. Fritextsvar ingår aldrig i rapporten." }
            p { "Det räcker inte att dölja de små grupperna: den som vet hela områdets andel och alla andra gruppers andelar kan annars räkna fram den dolda gruppens andel genom subtraktion – till exempel kommunen minus de tre andra områdena, eller ett område minus dess övriga åldersgrupper. Därför döljs ytterligare uppgifter (\"dold för att skydda en annan uppgift\"), de med minst antal svar först, tills ingen dold uppgift kan räknas fram närmare än " (P::sv((P::PROTECTION_WIDTH * 100.0).round())) " procentenheter (för en ovanlig indikator: dubbla kommunens andel), oavsett vilka publicerade siffror man kombinerar. Samma regel gäller medelvärden (" (P::sv((P::PROTECTION_WIDTH * 100.0).round())) " % av skalan). En dold uppgift visar varken värde, antal svar, intervall, nivå eller förändring, och en åtgärdseffekt visas inte om den bygger på en dold uppgift. Hur många uppgifter som dolts av detta skäl står i metodnoterna." }
            h3 { "Åtgärder" }
            p { "Varje åtgärd anger sina målindikatorer, det den ska påverka. Målindikatorerna för alla åtgärder prövas som en familj och övriga indikatorer, som är utforskande, som en annan; p-värdena justeras inom varje familj med Benjamini–Hochbergs metod (q-värden). En effekt kallas säkerställd bara när q < " (P::sv(P::SIGNIFICANCE)) "." }
            p { "Före är områdets senaste undersökning som stängde före åtgärdens start, efter den första som öppnade efter starten. Jämförelsen är övriga områden som undersöktes båda åren utan en åtgärd av samma slag däremellan, sammanslagna med områdena som strata; på samma sätt skattas Alla områden. Skillnad-i-skillnader förutsätter parallella trender." }
        }
    }
}
