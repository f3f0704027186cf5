/// File names made from account ids and manager names: lowercase ASCII letters, digits and `-`,
/// never empty, never `.`-led, so a name cannot leave the report folder or collide by case.
enum Slug {
    static func make(_ text: String) -> String {
        var slug = ""
        var lastWasDash = true
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(Unicode.Scalar(UInt8(scalar.value)).properties.lowercaseMapping.unicodeScalars.first!)
                lastWasDash = false
            } else if !lastWasDash {
                slug += "-"
                lastWasDash = true
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        slug = String(slug.prefix(60))
        // A short stable hash keeps distinct names distinct after folding ("Ana" vs "ana", "é" vs "e").
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let suffix = String(hash % 0xFFFFF, radix: 36)
        return (slug.isEmpty ? "x" : slug) + "-" + suffix
    }
}
