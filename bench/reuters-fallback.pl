#!/usr/bin/perl
# reuters-fallback.pl — bench-only Reuters-21578 SGML to JSON Lines loader,
# used by bench/run only when tools/reuters2jsonl is absent.  Latin-1 in,
# UTF-8 out; &#N; control references dropped; stories with neither a title
# nor a body skipped.  Usage: reuters-fallback.pl reut2-*.sgm.gz > out.jsonl
use strict;
use warnings;

my %mon = (JAN=>1,FEB=>2,MAR=>3,APR=>4,MAY=>5,JUN=>6,JUL=>7,AUG=>8,SEP=>9,OCT=>10,NOV=>11,DEC=>12);

sub clean {
    my ($s) = @_;
    return '' unless defined $s;
    $s =~ s/&#\d+;//g;
    $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s =~ s/&amp;/&/g;
    $s =~ s/\s+Reuter\s*$//s;
    $s =~ s/^\s+|\s+$//g;
    return $s;
}

sub json {
    my ($s) = @_;
    $s =~ s/\\/\\\\/g; $s =~ s/"/\\"/g; $s =~ s/\n/\\n/g; $s =~ s/\t/\\t/g;
    $s =~ s/([\x00-\x1f])/sprintf("\\u%04x", ord($1))/ge;
    utf8::encode($s);
    return "\"$s\"";
}

binmode STDOUT;
for my $file (@ARGV) {
    open(my $fh, '-|', 'zcat', $file) or die "$file: $!";
    binmode $fh, ':encoding(latin1)';
    local $/ = '</REUTERS>';
    while (my $rec = <$fh>) {
        next unless $rec =~ /NEWID="(\d+)"/;
        my $id = $1;
        my ($title) = $rec =~ m{<TITLE>(.*?)</TITLE>}s;
        my ($body) = $rec =~ m{<BODY>(.*?)</BODY>}s;
        my ($date) = $rec =~ m{<DATE>\s*(.*?)\s*</DATE>}s;
        $title = clean($title); $body = clean($body);
        next if $title eq '' && $body eq '';
        my $iso = '';
        if (defined $date && $date =~ /^(\d+)-([A-Z]+)-(\d{4}) (\d+):(\d+):(\d+)/i && $mon{uc $2}) {
            $iso = sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", $3, $mon{uc $2}, $1, $4, $5, $6);
        }
        print "{\"id\":", json("reuters-$id"), ",\"title\":", json($title), ",\"body\":", json($body),
              ",\"date\":", json($iso), ",\"source\":\"reuters\"}\n";
    }
    close $fh;
}
