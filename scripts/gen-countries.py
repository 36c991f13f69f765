#!/usr/bin/env python3
"""Regenerates server/CertLsp.Core/Data/Countries.Generated.cs from Debian's iso-codes package (apt-get install iso-codes)."""
import json, pathlib
root = pathlib.Path(__file__).resolve().parent.parent
data = json.load(open('/usr/share/iso-codes/json/iso_3166-1.json'))['3166-1']
lines = []
for c in sorted(data, key=lambda c: c['alpha_2']):
    name = c.get('common_name', c['name']).replace('"', '\\"')
    lines.append(f'        new("{c["alpha_2"]}", "{c["alpha_3"]}", "{name}"),')
src = '''// Generated from Debian's iso-codes (iso_3166-1.json); regenerate with scripts/gen-countries.py.
namespace CertLsp.Core.Data;

/// <summary>An ISO 3166-1 country: alpha-2 code (what a certificate's C holds), alpha-3 code and English name.</summary>
public sealed record Country(string Alpha2, string Alpha3, string Name);

public static partial class Countries
{
    public static readonly IReadOnlyList<Country> All =
    [
''' + "\n".join(lines) + '''
    ];
}
'''
(root / 'server/CertLsp.Core/Data/Countries.Generated.cs').write_text(src)
