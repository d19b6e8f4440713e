// Prints RE2::ProgramSize() of each regex read from stdin, one per line ("error" when it does not
// compile): the figure Envoy compares with re2.max_program_size.error_level. Portico's own code,
// built against Debian's libre2 by ensure-re2-size.sh for the tests that check Portico's sizes.
#include <re2/re2.h>
#include <iostream>
#include <string>

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    RE2 re(line);
    if (re.ok()) std::cout << re.ProgramSize() << "\n";
    else std::cout << "error\n";
  }
  return 0;
}
