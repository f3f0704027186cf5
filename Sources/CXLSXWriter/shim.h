#ifndef FPREPORT_CXLSXWRITER_SHIM_H
#define FPREPORT_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#endif
