/*
 * dicom_gdcm.cc - the one place fxaudit calls GDCM: read the header fields of
 * a file, decode its pixels, write a CT slice, make a UID. Every entry point is
 * extern "C" and catches every exception, so none crosses into C. Grouping,
 * sorting and resampling are C (dicom_scan.c, dicom_load.c).
 */
#include "config.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>
#include <unistd.h>

#include <gdcmAttribute.h>
#include <gdcmImage.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageReader.h>
#include <gdcmImageWriter.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include "dicom_gdcm.h"

extern "C" {
#include "dicom_check.h"
}

namespace {

/* GDCM writes warnings to std::cerr; library code must not print. */
void quiet()
{
    gdcm::Trace::WarningOff();
    gdcm::Trace::DebugOff();
    gdcm::Trace::ErrorOff();
}

void copy_str(char *dst, size_t n, const std::string &s)
{
    std::snprintf(dst, n, "%s", s.c_str());
}

std::string trimmed(std::string s)
{
    size_t a = s.find_first_not_of(" \t\r\n");
    size_t b = s.find_last_not_of(" \t\r\n");
    s = a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
    while (!s.empty() && s.back() == '\0')
        s.pop_back();
    return s;
}

/* The value of `tag` in `ds` as text ("" when absent or empty). */
std::string text(const gdcm::StringFilter &sf, const gdcm::DataSet &ds, uint16_t g, uint16_t e)
{
    const gdcm::Tag t(g, e);
    if (!ds.FindDataElement(t))
        return std::string();
    const gdcm::DataElement &de = ds.GetDataElement(t);
    if (de.IsEmpty())
        return std::string();
    return trimmed(sf.ToString(de));
}

/* Up to n backslash-separated numbers; returns how many were read. */
int numbers(const std::string &s, double *out, int n)
{
    const char *p = s.c_str();
    int k = 0;
    while (k < n && *p) {
        char *end;
        errno = 0;
        double x = std::strtod(p, &end);
        if (end == p || errno)
            break;
        out[k++] = x;
        p = end;
        while (*p == ' ')
            p++;
        if (*p != '\\')
            break;
        p++;
    }
    return k;
}

double number(const std::string &s, double missing)
{
    double x;
    return numbers(s, &x, 1) == 1 ? x : missing;
}

/* Item i (1-based) of sequence `seq` in `ds`, or NULL. */
const gdcm::DataSet *item(const gdcm::DataSet &ds, uint16_t g, uint16_t e, size_t i)
{
    const gdcm::Tag t(g, e);
    if (!ds.FindDataElement(t))
        return nullptr;
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(t).GetValueAsSQ();
    if (!sq || sq->GetNumberOfItems() < i)
        return nullptr;
    return &sq->GetItem(i).GetNestedDataSet();
}

const char *ts_name(const gdcm::TransferSyntax &ts)
{
    switch (ts) {
    case gdcm::TransferSyntax::ImplicitVRLittleEndian: return "implicit VR little endian";
    case gdcm::TransferSyntax::ExplicitVRLittleEndian: return "explicit VR little endian";
    case gdcm::TransferSyntax::ExplicitVRBigEndian: return "explicit VR big endian";
    case gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian: return "deflated little endian";
    case gdcm::TransferSyntax::JPEGBaselineProcess1: return "JPEG baseline";
    case gdcm::TransferSyntax::JPEGExtendedProcess2_4: return "JPEG extended";
    case gdcm::TransferSyntax::JPEGLosslessProcess14: return "JPEG lossless";
    case gdcm::TransferSyntax::JPEGLosslessProcess14_1: return "JPEG lossless SV1";
    case gdcm::TransferSyntax::JPEGLSLossless: return "JPEG-LS lossless";
    case gdcm::TransferSyntax::JPEGLSNearLossless: return "JPEG-LS near-lossless";
    case gdcm::TransferSyntax::JPEG2000Lossless: return "JPEG 2000 lossless";
    case gdcm::TransferSyntax::JPEG2000: return "JPEG 2000";
    case gdcm::TransferSyntax::RLELossless: return "RLE lossless";
    default: return nullptr;
    }
}

/* Pixel spacing, orientation, thickness and rescale of an enhanced
 * multi-frame object: the shared functional groups, else the first frame's. */
void functional_groups(const gdcm::StringFilter &sf, const gdcm::DataSet &ds, fx_gdcm_header *h)
{
    const gdcm::DataSet *groups[2] = {item(ds, 0x5200, 0x9229, 1), item(ds, 0x5200, 0x9230, 1)};
    for (const gdcm::DataSet *g : groups) {
        if (!g)
            continue;
        const gdcm::DataSet *pm = item(*g, 0x0028, 0x9110, 1);
        if (pm && !h->has_spacing) {
            h->has_spacing = numbers(text(sf, *pm, 0x0028, 0x0030), h->pixel_spacing, 2) == 2;
            h->slice_thickness = number(text(sf, *pm, 0x0018, 0x0050), NAN);
            h->spacing_between = number(text(sf, *pm, 0x0018, 0x0088), NAN);
        }
        const gdcm::DataSet *po = item(*g, 0x0020, 0x9116, 1);
        if (po && !h->has_iop)
            h->has_iop = numbers(text(sf, *po, 0x0020, 0x0037), h->iop, 6) == 6;
        const gdcm::DataSet *pv = item(*g, 0x0028, 0x9145, 1);
        if (pv) {
            h->intercept = number(text(sf, *pv, 0x0028, 0x1052), h->intercept);
            h->slope = number(text(sf, *pv, 0x0028, 0x1053), h->slope);
        }
    }
    if (h->frames < 1)
        return;
    h->frame_ipp = static_cast<double *>(std::calloc((size_t)h->frames * 3, sizeof(double)));
    if (!h->frame_ipp)
        return;
    h->has_ipp = 1;
    for (int f = 0; f < h->frames && h->has_ipp; f++) {
        const gdcm::DataSet *fr = item(ds, 0x5200, 0x9230, (size_t)f + 1);
        const gdcm::DataSet *pp = fr ? item(*fr, 0x0020, 0x9113, 1) : nullptr;
        h->has_ipp = pp && numbers(text(sf, *pp, 0x0020, 0x0032), h->frame_ipp + 3 * f, 3) == 3;
    }
    if (h->has_ipp)
        std::memcpy(h->ipp, h->frame_ipp, sizeof(h->ipp));
}

void fill_header(const gdcm::File &file, fx_gdcm_header *h)
{
    const gdcm::DataSet &ds = file.GetDataSet();
    gdcm::StringFilter sf;
    sf.SetFile(file);
    const gdcm::TransferSyntax &ts = file.GetHeader().GetDataSetTransferSyntax();
    copy_str(h->ts_uid, sizeof(h->ts_uid), trimmed(ts.GetString() ? ts.GetString() : ""));
    copy_str(h->ts_name, sizeof(h->ts_name), ts_name(ts) ? ts_name(ts) : h->ts_uid);
    copy_str(h->sop_class, sizeof(h->sop_class), text(sf, ds, 0x0008, 0x0016));
    copy_str(h->modality, sizeof(h->modality), text(sf, ds, 0x0008, 0x0060));
    copy_str(h->image_type, sizeof(h->image_type), text(sf, ds, 0x0008, 0x0008));
    copy_str(h->study_uid, sizeof(h->study_uid), text(sf, ds, 0x0020, 0x000d));
    copy_str(h->series_uid, sizeof(h->series_uid), text(sf, ds, 0x0020, 0x000e));
    copy_str(h->frame_uid, sizeof(h->frame_uid), text(sf, ds, 0x0020, 0x0052));
    copy_str(h->patient_name, sizeof(h->patient_name), text(sf, ds, 0x0010, 0x0010));
    copy_str(h->patient_id, sizeof(h->patient_id), text(sf, ds, 0x0010, 0x0020));
    copy_str(h->birth_date, sizeof(h->birth_date), text(sf, ds, 0x0010, 0x0030));
    h->series_number = (int)number(text(sf, ds, 0x0020, 0x0011), 0);
    h->acquisition_number = (int)number(text(sf, ds, 0x0020, 0x0012), 0);
    h->instance_number = (int)number(text(sf, ds, 0x0020, 0x0013), 0);
    h->rows = (int)number(text(sf, ds, 0x0028, 0x0010), 0);
    h->columns = (int)number(text(sf, ds, 0x0028, 0x0011), 0);
    h->samples = (int)number(text(sf, ds, 0x0028, 0x0002), 1);
    h->bits_allocated = (int)number(text(sf, ds, 0x0028, 0x0100), 0);
    h->pixel_representation = (int)number(text(sf, ds, 0x0028, 0x0103), 0);
    h->frames = (int)number(text(sf, ds, 0x0028, 0x0008), 1);
    h->has_pixels = h->rows > 0 && h->columns > 0 && h->bits_allocated > 0;
    h->has_ipp = numbers(text(sf, ds, 0x0020, 0x0032), h->ipp, 3) == 3;
    h->has_iop = numbers(text(sf, ds, 0x0020, 0x0037), h->iop, 6) == 6;
    h->has_spacing = numbers(text(sf, ds, 0x0028, 0x0030), h->pixel_spacing, 2) == 2;
    h->slice_thickness = number(text(sf, ds, 0x0018, 0x0050), NAN);
    h->spacing_between = number(text(sf, ds, 0x0018, 0x0088), NAN);
    h->gantry_tilt_deg = number(text(sf, ds, 0x0018, 0x1120), NAN);
    h->intercept = number(text(sf, ds, 0x0028, 0x1052), 0);
    h->slope = number(text(sf, ds, 0x0028, 0x1053), 1);
    std::string pad = text(sf, ds, 0x0028, 0x0120);
    h->has_padding = !pad.empty();
    h->padding = (long)number(pad, 0);
    if (ds.FindDataElement(gdcm::Tag(0x5200, 0x9230)))
        functional_groups(sf, ds, h);
}

} // namespace

extern "C" int fx_gdcm_read_header(const char *path, fx_gdcm_header *h, fx_error *err)
{
    std::memset(h, 0, sizeof(*h));
    char why[160];
    if (dicom_check_file(path, why, sizeof(why)))
        return fx_fail(err, FX_EFORMAT, "'%s' is not a readable DICOM file: %s", path, why);
    try {
        quiet();
        /* Stop at the pixel data and skip its value: the header is all we
         * need here, and a scan of a big series must not read the pixels. */
        std::set<gdcm::Tag> skip;
        skip.insert(gdcm::Tag(0x7fe0, 0x0010));
        gdcm::Reader r;
        r.SetFileName(path);
        if (!r.ReadUpToTag(gdcm::Tag(0x7fe0, 0x0010), skip))
            return fx_fail(err, FX_EFORMAT, "'%s' is not a readable DICOM file", path);
        fill_header(r.GetFile(), h);
        return FX_OK;
    } catch (const std::exception &e) {
        std::free(h->frame_ipp);
        h->frame_ipp = nullptr;
        return fx_fail(err, FX_EFORMAT, "cannot read the DICOM header of '%s': %s", path,
                       e.what());
    } catch (...) {
        std::free(h->frame_ipp);
        h->frame_ipp = nullptr;
        return fx_fail(err, FX_EFORMAT, "cannot read the DICOM header of '%s'", path);
    }
}

extern "C" int fx_gdcm_read_pixels(const char *path, void **buf, size_t *cap, size_t *len,
                                   int *bits, int *is_signed, fx_error *err)
{
    char why[160];
    if (dicom_check_file(path, why, sizeof(why)))
        return fx_fail(err, FX_EFORMAT, "'%s' is not a readable DICOM file: %s", path, why);
    try {
        quiet();
        gdcm::ImageReader r;
        r.SetFileName(path);
        if (!r.Read())
            return fx_fail(err, FX_EFORMAT, "cannot read the image in '%s'", path);
        const gdcm::Image &img = r.GetImage();
        size_t n = img.GetBufferLength();
        if (n > *cap) {
            void *p = std::realloc(*buf, n);
            if (!p)
                return fx_fail(err, FX_ENOMEM, "cannot allocate %zu bytes for '%s'", n, path);
            *buf = p;
            *cap = n;
        }
        if (!img.GetBuffer(static_cast<char *>(*buf)))
            return fx_fail(err, FX_EFORMAT, "cannot decode the pixels of '%s' (transfer "
                           "syntax %s)", path, img.GetTransferSyntax().GetString());
        const gdcm::PixelFormat &pf = img.GetPixelFormat();
        *len = n;
        *bits = pf.GetBitsAllocated();
        *is_signed = pf.GetPixelRepresentation();
        return FX_OK;
    } catch (const std::exception &e) {
        return fx_fail(err, FX_EFORMAT, "cannot decode '%s': %s", path, e.what());
    } catch (...) {
        return fx_fail(err, FX_EFORMAT, "cannot decode '%s'", path);
    }
}

/* ---- writing -------------------------------------------------------------- */

namespace {

void put(gdcm::DataSet &ds, uint16_t g, uint16_t e, gdcm::VR vr, std::string v)
{
    if (v.size() % 2)
        v.push_back(vr == gdcm::VR::UI ? '\0' : ' ');
    gdcm::DataElement de(gdcm::Tag(g, e));
    de.SetVR(vr);
    de.SetByteValue(v.data(), (uint32_t)v.size());
    ds.Replace(de);
}

/* A decimal string of at most 16 characters (the DS limit). */
std::string ds_value(double x)
{
    char b[32];
    for (int p = 12; p > 1; p--) {
        std::snprintf(b, sizeof(b), "%.*g", p, x);
        if (std::strlen(b) <= 16)
            break;
    }
    return b;
}

std::string uid_or_new(const char *given)
{
    if (given)
        return given;
    gdcm::UIDGenerator g;
    return g.Generate();
}

gdcm::TransferSyntax target_ts(fx_dicom_ts ts)
{
    switch (ts) {
    case FX_TS_IMPLICIT_LE: return gdcm::TransferSyntax::ImplicitVRLittleEndian;
    case FX_TS_RLE: return gdcm::TransferSyntax::RLELossless;
    case FX_TS_JPEG_LOSSLESS: return gdcm::TransferSyntax::JPEGLosslessProcess14_1;
    case FX_TS_JPEG2000_LOSSLESS: return gdcm::TransferSyntax::JPEG2000Lossless;
    case FX_TS_JPEGLS_LOSSLESS: return gdcm::TransferSyntax::JPEGLSLossless;
    default: return gdcm::TransferSyntax::ExplicitVRLittleEndian;
    }
}

void identity_tags(gdcm::DataSet &ds, const fx_dicom_slice *s)
{
    const char *modality = s->modality ? s->modality : "CT";
    /* CT and MR Image Storage carry the plane geometry; other modalities go
     * out as Secondary Capture. */
    put(ds, 0x0008, 0x0016, gdcm::VR::UI,
        !std::strcmp(modality, "CT")   ? "1.2.840.10008.5.1.4.1.1.2"
        : !std::strcmp(modality, "MR") ? "1.2.840.10008.5.1.4.1.1.4"
                                       : "1.2.840.10008.5.1.4.1.1.7");
    put(ds, 0x0008, 0x0018, gdcm::VR::UI, uid_or_new(s->sop_uid));
    put(ds, 0x0008, 0x0060, gdcm::VR::CS, modality);
    put(ds, 0x0008, 0x0008, gdcm::VR::CS, "ORIGINAL\\PRIMARY\\AXIAL");
    put(ds, 0x0008, 0x0070, gdcm::VR::LO, "fxaudit");
    put(ds, 0x0008, 0x0020, gdcm::VR::DA, "20260101");
    put(ds, 0x0008, 0x0030, gdcm::VR::TM, "120000");
    put(ds, 0x0008, 0x0050, gdcm::VR::SH, "");
    put(ds, 0x0008, 0x0090, gdcm::VR::PN, "");
    put(ds, 0x0010, 0x0010, gdcm::VR::PN, s->patient_name ? s->patient_name : "");
    put(ds, 0x0010, 0x0020, gdcm::VR::LO, s->patient_id ? s->patient_id : "");
    put(ds, 0x0010, 0x0030, gdcm::VR::DA, "");
    put(ds, 0x0010, 0x0040, gdcm::VR::CS, "");
    put(ds, 0x0020, 0x000d, gdcm::VR::UI, uid_or_new(s->study_uid));
    put(ds, 0x0020, 0x000e, gdcm::VR::UI, uid_or_new(s->series_uid));
    put(ds, 0x0020, 0x0052, gdcm::VR::UI, uid_or_new(s->frame_of_reference_uid));
    put(ds, 0x0020, 0x0010, gdcm::VR::SH, "1");
    put(ds, 0x0020, 0x0011, gdcm::VR::IS, std::to_string(s->series_number));
    put(ds, 0x0020, 0x0013, gdcm::VR::IS, std::to_string(s->instance_number));
    put(ds, 0x0020, 0x1040, gdcm::VR::LO, "");
    if (s->acquisition_number)
        put(ds, 0x0020, 0x0012, gdcm::VR::IS, std::to_string(s->acquisition_number));
    if (s->series_description)
        put(ds, 0x0008, 0x103e, gdcm::VR::LO, s->series_description);
    put(ds, 0x0018, 0x0060, gdcm::VR::DS, "120");
    put(ds, 0x0018, 0x5100, gdcm::VR::CS, "HFS");
}

void geometry_tags(gdcm::DataSet &ds, const fx_dicom_slice *s)
{
    if (s->slice_thickness_mm > 0)
        put(ds, 0x0018, 0x0050, gdcm::VR::DS, ds_value(s->slice_thickness_mm));
    if (s->spacing_between_mm > 0)
        put(ds, 0x0018, 0x0088, gdcm::VR::DS, ds_value(s->spacing_between_mm));
    if (!std::isnan(s->gantry_tilt_deg))
        put(ds, 0x0018, 0x1120, gdcm::VR::DS, ds_value(s->gantry_tilt_deg));
    put(ds, 0x0028, 0x1054, gdcm::VR::LO, "HU");
    if (s->has_padding) {
        gdcm::DataElement de(gdcm::Tag(0x0028, 0x0120));
        de.SetVR(gdcm::VR::SS);
        int16_t v = s->padding_stored;
        de.SetByteValue(reinterpret_cast<const char *>(&v), 2);
        ds.Replace(de);
    }
}

/* The slice as a gdcm::Image with stored int16 values. */
void make_image(gdcm::Image &img, const fx_dicom_slice *s, double slope, double intercept)
{
    img.SetNumberOfDimensions(2);
    img.SetDimension(0, (unsigned)s->columns);
    img.SetDimension(1, (unsigned)s->rows);
    img.SetPixelFormat(gdcm::PixelFormat::INT16);
    img.SetPhotometricInterpretation(gdcm::PhotometricInterpretation::MONOCHROME2);
    img.SetSpacing(0, s->pixel_spacing[1]);
    img.SetSpacing(1, s->pixel_spacing[0]);
    for (unsigned c = 0; c < 3; c++) /* the array form copies only 2 for a 2-D image */
        img.SetOrigin(c, s->ipp[c]);
    img.SetDirectionCosines(s->iop);
    img.SetIntercept(intercept);
    img.SetSlope(slope);
    size_t n = (size_t)s->rows * (size_t)s->columns;
    std::string px(n * 2, '\0');
    int16_t *p = reinterpret_cast<int16_t *>(&px[0]);
    for (size_t i = 0; i < n; i++) {
        double v = std::nearbyint((s->hu[i] - intercept) / slope);
        p[i] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
    }
    gdcm::DataElement pd(gdcm::Tag(0x7fe0, 0x0010));
    pd.SetVR(gdcm::VR::OW);
    pd.SetByteValue(px.data(), (uint32_t)px.size());
    img.SetDataElement(pd);
    img.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
}

int write_file(const char *tmp, const fx_dicom_slice *s, fx_error *err)
{
    double slope = s->slope != 0 ? s->slope : 1.0;
    double intercept = s->slope != 0 ? s->intercept : 0.0;
    gdcm::SmartPointer<gdcm::Image> img = new gdcm::Image;
    make_image(*img, s, slope, intercept);
    gdcm::ImageChangeTransferSyntax change;
    gdcm::TransferSyntax ts = target_ts(s->ts);
    if (ts != gdcm::TransferSyntax::ExplicitVRLittleEndian) {
        change.SetTransferSyntax(ts);
        change.SetInput(*img);
        if (!change.Change())
            return fx_fail(err, FX_EUNSUPPORTED, "GDCM cannot encode '%s' as %s", tmp,
                           ts.GetString());
    }
    gdcm::ImageWriter w;
    w.SetImage(ts != gdcm::TransferSyntax::ExplicitVRLittleEndian ? change.GetOutput() : *img);
    gdcm::DataSet &ds = w.GetFile().GetDataSet();
    identity_tags(ds, s);
    geometry_tags(ds, s);
    w.SetFileName(tmp);
    if (!w.Write())
        return fx_fail(err, FX_EIO, "cannot write DICOM file '%s'", tmp);
    if (!s->omit_ipp)
        return FX_OK;
    /* A broken file for the tests: the same file without its position. */
    gdcm::Reader r;
    r.SetFileName(tmp);
    if (!r.Read())
        return fx_fail(err, FX_EIO, "cannot re-read '%s'", tmp);
    r.GetFile().GetDataSet().Remove(gdcm::Tag(0x0020, 0x0032));
    gdcm::Writer w2;
    w2.SetFile(r.GetFile());
    w2.SetFileName(tmp);
    return w2.Write() ? FX_OK : fx_fail(err, FX_EIO, "cannot write DICOM file '%s'", tmp);
}

} // namespace

extern "C" int fx_dicom_write_slice(const char *path, const fx_dicom_slice *s, fx_error *err)
{
    char tmp[4096];
    if (s->rows <= 0 || s->columns <= 0 || !s->hu)
        return fx_fail(err, FX_EINVAL, "cannot write '%s': empty slice", path);
    if (std::snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return fx_fail(err, FX_EINVAL, "path '%s' is too long", path);
    int rc;
    try {
        quiet();
        rc = write_file(tmp, s, err);
    } catch (const std::exception &e) {
        rc = fx_fail(err, FX_EIO, "cannot write DICOM file '%s': %s", path, e.what());
    } catch (...) {
        rc = fx_fail(err, FX_EIO, "cannot write DICOM file '%s'", path);
    }
    if (!rc && std::rename(tmp, path))
        rc = fx_fail(err, FX_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
                     std::strerror(errno));
    if (rc)
        std::remove(tmp);
    return rc;
}

/* ---- enhanced multi-frame CT ------------------------------------------- */

namespace {

/* A sequence element holding one item per dataset in `items`. */
gdcm::DataElement sequence(uint16_t g, uint16_t e, const std::vector<gdcm::DataSet> &items)
{
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems;
    sq->SetLengthToUndefined();
    for (const gdcm::DataSet &d : items) {
        gdcm::Item it;
        it.SetVLToUndefined();
        it.SetNestedDataSet(d);
        sq->AddItem(it);
    }
    gdcm::DataElement de(gdcm::Tag(g, e));
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    return de;
}

std::string multi(const double *x, int n)
{
    std::string out;
    for (int i = 0; i < n; i++)
        out += (i ? "\\" : "") + ds_value(x[i]);
    return out;
}

/* Shared groups: pixel measures, plane orientation, value transformation. */
gdcm::DataElement shared_groups(const fx_dicom_slice *f, double slope, double intercept)
{
    gdcm::DataSet pm, po, pv, shared;
    put(pm, 0x0018, 0x0050, gdcm::VR::DS, ds_value(f->slice_thickness_mm > 0 ?
                                                   f->slice_thickness_mm : 1));
    put(pm, 0x0028, 0x0030, gdcm::VR::DS, multi(f->pixel_spacing, 2));
    put(po, 0x0020, 0x0037, gdcm::VR::DS, multi(f->iop, 6));
    put(pv, 0x0028, 0x1052, gdcm::VR::DS, ds_value(intercept));
    put(pv, 0x0028, 0x1053, gdcm::VR::DS, ds_value(slope));
    put(pv, 0x0028, 0x1054, gdcm::VR::LO, "HU");
    shared.Insert(sequence(0x0020, 0x9116, {po}));
    shared.Insert(sequence(0x0028, 0x9110, {pm}));
    shared.Insert(sequence(0x0028, 0x9145, {pv}));
    return sequence(0x5200, 0x9229, {shared});
}

/* Per-frame groups (each frame's position) and the frames' stored pixels. */
void per_frame(gdcm::DataSet &ds, const fx_dicom_slice *f, int n, size_t px, double slope,
               double intercept)
{
    std::vector<gdcm::DataSet> frames;
    std::string pixels(px * 2 * (size_t)n, '\0');
    int16_t *p = reinterpret_cast<int16_t *>(&pixels[0]);
    for (int k = 0; k < n; k++) {
        gdcm::DataSet pp, item;
        put(pp, 0x0020, 0x0032, gdcm::VR::DS, multi(f[k].ipp, 3));
        item.Insert(sequence(0x0020, 0x9113, {pp}));
        frames.push_back(item);
        for (size_t i = 0; i < px; i++) {
            double v = std::nearbyint((f[k].hu[i] - intercept) / slope);
            p[k * px + i] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
        }
    }
    ds.Insert(sequence(0x5200, 0x9230, frames));
    gdcm::DataElement pd(gdcm::Tag(0x7fe0, 0x0010));
    pd.SetVR(gdcm::VR::OW);
    pd.SetByteValue(pixels.data(), (uint32_t)pixels.size());
    ds.Insert(pd);
}

int write_enhanced(const char *tmp, const fx_dicom_slice *f, int n, fx_error *err)
{
    double slope = f[0].slope != 0 ? f[0].slope : 1.0;
    double intercept = f[0].slope != 0 ? f[0].intercept : 0.0;
    size_t px = (size_t)f[0].rows * (size_t)f[0].columns;
    gdcm::Writer w;
    gdcm::File &file = w.GetFile();
    gdcm::DataSet &ds = file.GetDataSet();
    fx_dicom_slice first = f[0];
    identity_tags(ds, &first);
    put(ds, 0x0008, 0x0016, gdcm::VR::UI, "1.2.840.10008.5.1.4.1.1.2.1");
    put(ds, 0x0008, 0x0008, gdcm::VR::CS, "ORIGINAL\\PRIMARY\\AXIAL\\NONE");
    put(ds, 0x0020, 0x0013, gdcm::VR::IS, "1");
    put(ds, 0x0028, 0x0002, gdcm::VR::US, std::string("\1\0", 2));
    put(ds, 0x0028, 0x0004, gdcm::VR::CS, "MONOCHROME2");
    put(ds, 0x0028, 0x0008, gdcm::VR::IS, std::to_string(n));
    const uint16_t us[5][2] = {{0x0010, (uint16_t)f[0].rows}, {0x0011, (uint16_t)f[0].columns},
                               {0x0100, 16}, {0x0101, 16}, {0x0102, 15}};
    for (const auto &u : us)
        put(ds, 0x0028, u[0], gdcm::VR::US,
            std::string(reinterpret_cast<const char *>(&u[1]), 2));
    put(ds, 0x0028, 0x0103, gdcm::VR::US, std::string("\1\0", 2));
    ds.Insert(shared_groups(&f[0], slope, intercept));
    per_frame(ds, f, n, px, slope, intercept);
    file.GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    w.SetFileName(tmp);
    return w.Write() ? FX_OK : fx_fail(err, FX_EIO, "cannot write DICOM file '%s'", tmp);
}

} // namespace

extern "C" int fx_dicom_write_enhanced(const char *path, const fx_dicom_slice *frames, int n,
                                       fx_error *err)
{
    char tmp[4096];
    if (n < 1 || !frames[0].hu || frames[0].rows <= 0 || frames[0].columns <= 0)
        return fx_fail(err, FX_EINVAL, "cannot write '%s': no frames", path);
    if (std::snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return fx_fail(err, FX_EINVAL, "path '%s' is too long", path);
    int rc;
    try {
        quiet();
        rc = write_enhanced(tmp, frames, n, err);
    } catch (const std::exception &e) {
        rc = fx_fail(err, FX_EIO, "cannot write DICOM file '%s': %s", path, e.what());
    } catch (...) {
        rc = fx_fail(err, FX_EIO, "cannot write DICOM file '%s'", path);
    }
    if (!rc && std::rename(tmp, path))
        rc = fx_fail(err, FX_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
                     std::strerror(errno));
    if (rc)
        std::remove(tmp);
    return rc;
}

extern "C" void fx_dicom_new_uid(char uid[65])
{
    try {
        gdcm::UIDGenerator g;
        std::snprintf(uid, 65, "%s", g.Generate());
    } catch (...) {
        uid[0] = '\0';
    }
}
