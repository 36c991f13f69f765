#!/usr/bin/env python3
"""scripts/rename-underscore-fields.py: renames private `_camel` fields of the tracked C# files to camelCase (the
.editorconfig rule), a regex per file. Where the new name is already used in the file, each use becomes `this.name`;
then run `dotnet format style CertLsp.sln --diagnostics IDE0003` to remove each `this.` the compiler does not need.
A field named `_lock` becomes `@lock`: rename it by hand (`gate`). Used once for issue 17.5; kept to re-run after merges."""
import re,subprocess
files=subprocess.run(['git','ls-files','*.cs'],capture_output=True,text=True).stdout.split()
decl=re.compile(r'^(\s+private\s+((?:static\s+|readonly\s+|volatile\s+)*)[\w<>\[\],.? ()]+?\s+)(_[a-z]\w*)(\s*(?:=|;))',re.M)
changed=[]
for f in files:
    s=open(f,encoding='utf-8').read()
    fields=[(m.group(3),m.group(2)) for m in decl.finditer(s)]
    if not fields: continue
    for old,mods in fields:
        new=old[1:]
        static='static' in mods
        if static and 'readonly' in mods: new=new[0].upper()+new[1:]
        conflict=bool(re.search(r'(?<![\w.@])'+re.escape(new)+r'\b',s)) or new in ('lock','object','string','event','base','params','checked','fixed','operator','default')
        s=re.sub(r'^(\s+private\s+(?:(?:static\s+|readonly\s+|volatile\s+)*)[\w<>\[\],.? ()]+?\s+)'+re.escape(old)+r'(\s*(?:=|;))', lambda m: m.group(1)+('@'+new if new=='lock' else new)+m.group(2), s, flags=re.M)
        if conflict and not static:
            s=re.sub(r'\.'+re.escape(old)+r'\b','.'+new,s)
            s=re.sub(r'(?<![\w@.])'+re.escape(old)+r'\b','this.'+new,s)
        else:
            if conflict: print('STATIC CONFLICT',f,old)
            s=re.sub(r'(?<![\w@])'+re.escape(old)+r'\b',new,s)
    open(f,'w',encoding='utf-8').write(s); changed.append(f)
print(len(changed)); print('\n'.join(changed))
